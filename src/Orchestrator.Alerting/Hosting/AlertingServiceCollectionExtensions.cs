using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchestrator.Alerting.Dispatch;
using Orchestrator.Alerting.Notify;
using Orchestrator.Alerting.Webhooks;
using Orchestrator.Execution.Hosting;

namespace Orchestrator.Alerting.Hosting;

public static class AlertingServiceCollectionExtensions
{
    /// <summary>The <c>notify</c> task type, the <see cref="WebhookSender"/> (one shared HttpClient) and the
    /// <see cref="AlertDispatcher"/> (not yet running: see <see cref="AddOrchestratorAlertDispatcher"/>). Using them
    /// needs <c>IMetadataStore</c>, <c>ConnectionService</c> and <c>TimeProvider</c> (AddOrchestratorStorage / Secrets).</summary>
    public static IServiceCollection AddOrchestratorAlerting(this IServiceCollection services, Action<WebhookOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new WebhookOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(options);
        // One client for the process: pooled connections, refreshed so DNS changes are seen.
        services.TryAddSingleton(_ => new WebhookHttpClient(new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan, // the Polly pipeline times each attempt
        }));
        services.TryAddSingleton(provider => ActivatorUtilities.CreateInstance<WebhookSender>(provider, provider.GetRequiredService<WebhookHttpClient>().Client));
        services.TryAddSingleton<AlertDispatcher>();
        services.AddOrchestratorTaskType<NotifyTask>(NotifyTask.TypeName);
        return services;
    }

    /// <summary>Runs the <see cref="AlertDispatcher"/> as a hosted service of this process: one process per store
    /// should (the one running the engine), so an alert is not sent by two dispatchers at once.</summary>
    public static IServiceCollection AddOrchestratorAlertDispatcher(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddHostedService(provider => provider.GetRequiredService<AlertDispatcher>());
        return services;
    }

    /// <summary>The sender's HttpClient, wrapped so the container owns (and disposes) it without claiming HttpClient.</summary>
    internal sealed class WebhookHttpClient(HttpClient client) : IDisposable
    {
        public HttpClient Client { get; } = client;

        public void Dispose() => Client.Dispose();
    }
}
