using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchestrator.Secrets.Masking;
using Orchestrator.Storage;

namespace Orchestrator.Application.Queries.Ml;

public static class MlQueriesServiceCollectionExtensions
{
    /// <summary>The model, experiment and dataset queries, the alias move, and the admin lists of Variables and
    /// Connections. Needs <see cref="IMetadataStore"/>, for the drift checks' reports the artifact store, and for the lists the Secrets services
    /// (<c>VariableService</c>, <c>ConnectionService</c>), registered by the host.</summary>
    public static IServiceCollection AddMlQueries(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => SensitiveNames.FromEnvironment());
        services.TryAddSingleton<IModelQueries, ModelQueries>();
        services.TryAddSingleton<IExperimentQueries, ExperimentQueries>();
        services.TryAddSingleton<IDatasetQueries, DatasetQueries>();
        services.TryAddSingleton<IPerformanceQueries, PerformanceQueries>();
        services.TryAddSingleton<IDriftQueries, DriftQueries>();
        services.TryAddSingleton<ISecretListQueries, SecretListQueries>();
        services.TryAddSingleton<IModelAliasCommands>(provider =>
            new ModelAliasCommands(provider.GetRequiredService<IMetadataStore>().Models, provider.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>The alias move over a store the caller opened (the CLI opens its store per command).</summary>
    public static IModelAliasCommands AliasCommands(IModelRegistryStore models, TimeProvider time) => new ModelAliasCommands(models, time);

    /// <summary>The drift checks over a store the caller opened.</summary>
    public static IDriftQueries DriftQueries(IMetadataStore store, Storage.Artifacts.IArtifactStore artifacts) => new DriftQueries(store, artifacts);
}
