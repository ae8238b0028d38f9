using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchestrator.Application.Queries.Dags;
using Orchestrator.Application.Queries.Events;
using Orchestrator.Application.Queries.Runs;
using Orchestrator.Application.Queries.TaskInstances;
using Orchestrator.Engine.Catalog;
using Orchestrator.Loading;
using Orchestrator.Loading.Folder;
using Orchestrator.Secrets.Masking;
using Orchestrator.Storage;

namespace Orchestrator.Application.Queries;

public static class DagQueriesServiceCollectionExtensions
{
    /// <summary>The queries behind the DAG, run and task pages and API. Needs an <see cref="IMetadataStore"/>; adds a
    /// DAG loader (unless the host has one) to read stored versions back, the system clock and the sensitive names
    /// from the environment unless already registered.</summary>
    public static IServiceCollection AddDagQueries(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => SensitiveNames.FromEnvironment());
        services.TryAddSingleton(new DagLoaderOptions());
        services.TryAddSingleton<DagFolderLoader>(provider => DagLoaders.CreateFolderLoader(provider.GetRequiredService<DagLoaderOptions>()));
        // Only the catalog's "version from the store" half is used here: the folder is never read.
        services.TryAddSingleton(provider => new StoredDagVersions(new DagCatalog(
            "", provider.GetRequiredService<DagFolderLoader>(), provider.GetRequiredService<IMetadataStore>(), provider.GetRequiredService<TimeProvider>())));
        services.TryAddSingleton<DagQueries>();
        services.TryAddSingleton<DagViewQueries>();
        services.TryAddSingleton<RunQueries>();
        services.TryAddSingleton<TaskInstanceQueries>();
        services.TryAddSingleton<EventQueries>();
        return services;
    }
}
