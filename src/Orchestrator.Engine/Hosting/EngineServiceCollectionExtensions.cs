using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orchestrator.Core.Secrets;
using Orchestrator.Engine.Runs;
using Orchestrator.Engine.Telemetry;
using Orchestrator.Execution.Hosting;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Loading;
using Orchestrator.Loading.Folder;

namespace Orchestrator.Engine.Hosting;

/// <summary>Registers the engine and the DAG loaders in a host's services.</summary>
public static class EngineServiceCollectionExtensions
{
    /// <summary>The DAG folder loader, checking files against the registered task types
    /// (<see cref="TaskTypeRegistry.KnownTypes"/>). Needs <see cref="ExecutionServiceCollectionExtensions.AddOrchestratorExecution"/>.</summary>
    public static IServiceCollection AddOrchestratorDagLoading(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(provider => DagLoading.OptionsFor(provider.GetRequiredService<TaskTypeRegistry>()));
        services.TryAddSingleton(provider => DagLoaders.CreateFolderLoader(provider.GetRequiredService<DagLoaderOptions>()));
        return services;
    }

    /// <summary>A worker process of a cluster (<see cref="Cluster.WorkerRoleService"/>) with task execution and DAG
    /// loading. Needs an <see cref="Storage.IMetadataStore"/> on PostgreSQL.</summary>
    public static IServiceCollection AddOrchestratorWorker(this IServiceCollection services, Action<Cluster.WorkerRoleOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOrchestratorExecution();
        services.AddOrchestratorDagLoading();
        services.AddOptions<Cluster.WorkerRoleOptions>().Configure(configure);
        services.TryAddSingleton<Cluster.WorkerRoleService>();
        services.AddHostedService(provider => provider.GetRequiredService<Cluster.WorkerRoleService>());
        return services;
    }

    /// <summary>The embedded engine (scheduler, dispatcher, workers) as a hosted service (<see cref="EmbeddedEngineService"/>),
    /// with task execution and DAG loading. Needs an <see cref="Storage.IMetadataStore"/>. A registered
    /// <see cref="ILostTryCleaner"/> and <see cref="ITrySecretsSource"/> are used unless the options name others.</summary>
    public static IServiceCollection AddOrchestratorEngine(this IServiceCollection services, Action<EngineOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOrchestratorExecution();
        services.AddOrchestratorDagLoading();
        services.AddOptions<EngineOptions>()
            .Configure(configure)
            .PostConfigure<IServiceProvider>((options, provider) =>
            {
                options.LostTries ??= provider.GetService<ILostTryCleaner>();
                options.Secrets ??= provider.GetService<ITrySecretsSource>();
                options.Metrics ??= provider.GetService<EngineMetrics>();
            })
            .Validate(options => !string.IsNullOrWhiteSpace(options.DagsFolder), "EngineOptions.DagsFolder is required");
        services.TryAddSingleton<EngineMetrics>();
        services.TryAddSingleton<EmbeddedEngineService>();
        services.AddHostedService(provider => provider.GetRequiredService<EmbeddedEngineService>());
        return services;
    }
}
