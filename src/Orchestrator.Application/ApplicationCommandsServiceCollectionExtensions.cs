using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchestrator.Application.Dags;
using Orchestrator.Application.Pools;
using Orchestrator.Application.Runs;
using Orchestrator.Application.TaskInstances;
using Orchestrator.Application.TestRuns;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Hosting;
using Orchestrator.Secrets.Masking;
using Orchestrator.Storage;

namespace Orchestrator.Application;

/// <summary>Registers the application layer's commands (trigger, pause, clear, mark, record a test run).</summary>
public static class ApplicationCommandsServiceCollectionExtensions
{
    /// <summary>The commands, with DAG loading. Needs an <see cref="Storage.IMetadataStore"/> and the task types
    /// (<c>AddOrchestratorExecution</c>). When the host also runs the embedded engine (<see cref="EmbeddedEngineService"/>),
    /// changes to runs it drives go through it.</summary>
    public static IServiceCollection AddOrchestratorCommands(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOrchestratorDagLoading();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => SensitiveNames.FromEnvironment());
        services.TryAddSingleton<DagVersions>();
        services.TryAddSingleton<DagVersionSource>();
        services.TryAddSingleton<IRunCommands, RunCommands>();
        services.TryAddSingleton<IDagCommands, DagCommands>();
        services.TryAddSingleton<ITaskInstanceCommands, TaskInstanceCommands>();
        services.TryAddSingleton<PoolService>();
        services.TryAddSingleton(provider => new TestRunRecorder(provider.GetRequiredService<IMetadataStore>(), provider.GetRequiredService<TimeProvider>()));
        return services;
    }
}
