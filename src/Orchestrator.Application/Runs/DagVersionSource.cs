using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Model;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Hosting;
using Orchestrator.Loading;
using Orchestrator.Loading.Folder;
using Orchestrator.Storage;

namespace Orchestrator.Application.Runs;

/// <summary>A DAG version as the use cases need it (graph, params, tasks' retries): the in-process engine's when one
/// runs here, else one loaded already by this process (the CLI adds the file it just read), else rebuilt from the
/// source text the store kept for that version.</summary>
internal sealed class DagVersionSource(IMetadataStore store, DagFolderLoader loader, DagVersions loaded, IServiceProvider services)
{
    public async Task<LoadedDag?> GetAsync(DagId dagId, string version, CancellationToken cancellationToken)
    {
        if (services.GetService<EmbeddedEngineService>()?.Running is { } engine)
        {
            return await engine.Catalog.GetVersionAsync(dagId, version, cancellationToken);
        }

        if (loaded.Get(dagId, version) is { } known)
        {
            return known;
        }

        if (await store.Dags.GetVersionAsync(dagId, version, cancellationToken) is not { } stored)
        {
            return null;
        }

        var result = await loader.LoadContentAsync(stored.FilePath, Encoding.UTF8.GetBytes(stored.Source), cancellationToken);
        var dag = result.Dags.FirstOrDefault(d => d.Id == dagId && d.Version == version);
        if (dag is not null)
        {
            loaded.Add(dag);
        }

        return dag;
    }

    /// <summary>The engine running in this process, if any.</summary>
    public EmbeddedEngine? Engine => services.GetService<EmbeddedEngineService>()?.Running;
}
