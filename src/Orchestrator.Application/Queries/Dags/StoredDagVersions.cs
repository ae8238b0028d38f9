using System.Collections.Concurrent;
using Orchestrator.Application.Queries.Graph;
using Orchestrator.Core.Model;
using Orchestrator.Engine.Catalog;
using Orchestrator.Loading;

namespace Orchestrator.Application.Queries.Dags;

/// <summary>DAG versions read back from the source the store kept, for a web server that has no engine (and so no
/// loaded DAGs) of its own. Versions never change, so each is parsed once and kept, with its graph layout.</summary>
public sealed class StoredDagVersions(DagCatalog catalog)
{
    private readonly ConcurrentDictionary<(DagId, string), GraphLayout> _layouts = new();

    /// <summary>The version, or null when the store has no such version or its source no longer loads here.</summary>
    public Task<LoadedDag?> GetAsync(DagId dagId, string version, CancellationToken cancellationToken) =>
        catalog.GetVersionAsync(dagId, version, cancellationToken);

    /// <summary>The version's graph layout, or null as <see cref="GetAsync"/>.</summary>
    public async Task<GraphLayout?> LayoutAsync(DagId dagId, string version, CancellationToken cancellationToken)
    {
        if (_layouts.TryGetValue((dagId, version), out var known))
        {
            return known;
        }

        if (await GetAsync(dagId, version, cancellationToken) is not { } dag)
        {
            return null;
        }

        return _layouts.GetOrAdd((dagId, version), _ => GraphLayout.Of(dag.Definition, dag.Graph));
    }
}
