using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchestrator.Execution.Hosting;
using Orchestrator.ML.Models;
using Orchestrator.ML.Training;

namespace Orchestrator.ML.Tasks;

/// <summary>Registers the ML lifecycle: the ml.* task types and the services they take (the model trainer, the package
/// reader, the deployment notifier; the metadata and artifact stores come from the host's storage registration).</summary>
public static class MlServiceCollectionExtensions
{
    public static IServiceCollection AddOrchestratorMl(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOrchestratorExecution();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new ModelTrainer(provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IModelPackageReader, ModelPackageReader>();
        // A host that serves models replaces this with its servers' notifier.
        services.TryAddSingleton<IModelDeploymentNotifier>(NoDeploymentNotifier.Instance);
        services.TryAddSingleton<DatasetSources>();
        // A host with an event store replaces this with one that records drift events in it.

        services.AddOrchestratorTaskType<IngestTask>("ml.ingest");
        services.AddOrchestratorTaskType<ValidateTask>("ml.validate");
        services.AddOrchestratorTaskType<TrainTask>("ml.train");
        services.AddOrchestratorTaskType<EvaluateTask>("ml.evaluate");
        services.AddOrchestratorTaskType<GateTask>("ml.gate");
        services.AddOrchestratorTaskType<RegisterTask>("ml.register");
        services.AddOrchestratorTaskType<DeployTask>("ml.deploy");
        services.AddOrchestratorTaskType<DriftTask>("ml.drift");
        services.AddOrchestratorTaskType<PerformanceTask>("ml.performance");
        return services;
    }
}
