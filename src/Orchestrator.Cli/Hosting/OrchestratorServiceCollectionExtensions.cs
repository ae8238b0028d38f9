using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Secrets;
using Orchestrator.Secrets.Encryption;
using Orchestrator.Secrets.Masking;
using Orchestrator.Secrets.Services;
using Orchestrator.Secrets.Values;
using Orchestrator.Storage;

namespace Orchestrator.Cli.Hosting;

/// <summary>The storage and secrets registrations of a host that has opened its metadata store (the store is opened
/// asynchronously, with its migrations, before the host is built; the caller owns and disposes it).</summary>
public static class OrchestratorServiceCollectionExtensions
{
    /// <summary>The metadata store as <see cref="IMetadataStore"/> (and its role stores), and the artifact store of the
    /// home (<c>HOME/artifacts</c>) as <see cref="Storage.Artifacts.IArtifactStore"/>.</summary>
    public static IServiceCollection AddOrchestratorStorage(this IServiceCollection services, IMetadataStore store, string home)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(home);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(store);
        services.AddSingleton(provider => provider.GetRequiredService<IMetadataStore>().Variables);
        services.AddSingleton(provider => provider.GetRequiredService<IMetadataStore>().Connections);
        services.AddSingleton(provider => provider.GetRequiredService<IMetadataStore>().Datasets);
        services.AddSingleton(provider => provider.GetRequiredService<IMetadataStore>().Models);
        services.AddSingleton(provider => provider.GetRequiredService<IMetadataStore>().Tracking);
        services.AddSingleton<Storage.Artifacts.IArtifactStore>(new Storage.Artifacts.FolderArtifactStore(Path.Combine(Path.GetFullPath(home), "artifacts")));
        return services;
    }

    /// <summary>Variables and Connections of the home: the cipher (its key, <c>ORCHESTRATOR_SECRET_KEY</c> or
    /// <c>HOME/secret.key</c>, read on first use), the sensitive names, <see cref="VariableService"/>,
    /// <see cref="ConnectionService"/> and each try's <see cref="ITrySecretsSource"/> (none of their values without a
    /// registered store).</summary>
    public static IServiceCollection AddOrchestratorSecrets(this IServiceCollection services, string home)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(home);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => SecretCipher.ForHome(
            Path.GetFullPath(home), provider.GetService<ILoggerFactory>()?.CreateLogger("Orchestrator.Secrets") ?? NullLogger.Instance));
        services.TryAddSingleton(_ => SensitiveNames.FromEnvironment());
        services.TryAddSingleton<VariableService>();
        services.TryAddSingleton<ConnectionService>();
        services.TryAddSingleton<ITrySecretsSource>(provider => new StoreTrySecretsSource(
            provider.GetService<IMetadataStore>(), provider.GetRequiredService<SecretCipher>(), provider.GetRequiredService<SensitiveNames>()));
        return services;
    }
}
