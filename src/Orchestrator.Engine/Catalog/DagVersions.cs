using System.Collections.Concurrent;
using Orchestrator.Core.Model;
using Orchestrator.Loading;

namespace Orchestrator.Engine.Catalog;

/// <summary>Every DAG version this process has loaded, by (DAG, version). A run uses the version it started with,
/// so an edited file affects new runs only; an old version stays here while runs need it.</summary>
public sealed class DagVersions
{
    private readonly ConcurrentDictionary<(DagId, string), LoadedDag> _versions = new();

    public void Add(LoadedDag dag)
    {
        ArgumentNullException.ThrowIfNull(dag);
        _versions[(dag.Id, dag.Version)] = dag;
    }

    public LoadedDag? Get(DagId dagId, string version) => _versions.GetValueOrDefault((dagId, version));
}
