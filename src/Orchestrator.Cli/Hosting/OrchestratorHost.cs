using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Alerting.Hosting;
using Orchestrator.Application;
using Orchestrator.Engine.Hosting;
using Orchestrator.Execution.Hosting;
using Orchestrator.ML.Tasks;
using Hangfire;
using Microsoft.AspNetCore.Builder;
using Orchestrator.Serving;
using Orchestrator.Web;
using Orchestrator.Web.Security;
using Orchestrator.Storage;

namespace Orchestrator.Cli.Hosting;

/// <summary>The CLI's composition root: the ONE place that says which services every command (and <c>standalone</c>'s
/// web host) gets. Commands build their host here and resolve what they need from it.</summary>
internal static class OrchestratorHost
{
    /// <summary>The services of every command. <paramref name="store"/> null: a host without a metadata store
    /// (<c>dags test</c> when the home's store cannot be opened).</summary>
    public static IServiceCollection AddOrchestratorCli(this IServiceCollection services, CliConsole console, string home, IMetadataStore? store)
    {
        services.AddOrchestratorExecution();
        services.AddOrchestratorDagLoading();
        if (store is not null)
        {
            services.AddOrchestratorStorage(store, home);
        }

        services.AddOrchestratorCommands();

        services.AddOrchestratorSecrets(home);

        services.AddOrchestratorMl();
        services.AddOrchestratorAlerting();

        console.ConfigureServices?.Invoke(services); // tests: their own services and task types
        return services;
    }

    /// <summary>The services of <c>standalone</c>'s web server (and the future <c>webserver</c>): the REST API, dashboard
    /// and access control over the application layer, and model serving, whose model cache is also what
    /// <c>ml.deploy</c> tells when it moves an alias. The inference log goes to the metadata store's
    /// <see cref="IMetadataStore.Inference"/>, as <paramref name="serving"/> sets it (sampling, retention).</summary>
    public static IServiceCollection AddWebServices(this IServiceCollection services, Action<SecurityOptions>? security = null, Action<ModelServingOptions>? serving = null)
    {
        services.AddOrchestratorWeb(security);
        services.AddSingleton(provider => provider.GetRequiredService<IMetadataStore>().Inference);
        services.AddModelServing(serving);
        services.AddOrchestratorAlertDispatcher(); // sends the alerts the engine and notify tasks record
        return services;
    }

    /// <summary><c>standalone</c>'s middleware and endpoints: the web parts, and model serving behind the same sign-in
    /// (loopback clients are signed in automatically unless login is required; others send a bearer token): scoring
    /// for viewers, feedback (labels for the inference log) for operators.</summary>
    public static void MapEndpoints(WebApplication app, Func<IServiceProvider, JobStorage?> hangfireStorage)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseOrchestratorWeb(hangfireStorage);
        app.MapModelServing().RequireAuthorization(OrchestratorPolicies.Viewer);
        // Labels change what live performance and retraining see: an operator's act, like triggering a run.
        app.MapModelFeedback().RequireAuthorization(OrchestratorPolicies.Operator);
    }

    /// <summary>A command's host on the home's metadata store (opened first, with its migrations).</summary>
    public static async Task<CliHost> OpenAsync(ParseResult parse, CliConsole console, CancellationToken cancellationToken)
    {
        var store = await MetadataStores.OpenAsync(parse, cancellationToken);
        return Build(parse, console, store);
    }

    /// <summary>A command's host on <paramref name="store"/> (owned by the host from now on), or on no store.</summary>
    public static CliHost Build(ParseResult parse, CliConsole console, IMetadataStore? store)
    {
        ArgumentNullException.ThrowIfNull(parse);
        // No default configuration sources or console logging: stdout is for the command's own output (JSON, tables).
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().AddProvider(new StderrLoggerProvider());
        builder.Services.AddOrchestratorCli(console, parse.GetValue(CommonOptions.Home)!, store);
        return new CliHost(builder.Build(), store);
    }
}

/// <summary>A command's built host and the store it owns; disposing it closes both.</summary>
internal sealed class CliHost(IHost host, IMetadataStore? store) : IAsyncDisposable
{
    public IServiceProvider Services => host.Services;

    /// <summary>The metadata store; throws when the host was built without one.</summary>
    public IMetadataStore Store => store ?? throw new InvalidOperationException("this command's host has no metadata store");

    public T Get<T>()
        where T : notnull => host.Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        if (host is IAsyncDisposable asyncHost)
        {
            await asyncHost.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }

        if (store is not null)
        {
            await store.DisposeAsync();
        }
    }
}
