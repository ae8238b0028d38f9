using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Orchestrator.Engine.Telemetry;
using Prometheus;

namespace Orchestrator.Web.Metrics;

/// <summary>/metrics in Prometheus text format: the engine's instruments (when an engine runs in this host), HTTP
/// request durations by route template, and runs and task instances by state read from the store (so a webserver
/// without an engine shows them too).</summary>
public static class OrchestratorMetricsExtensions
{
    /// <summary>Registers the per-host Prometheus registry. Needs an <see cref="Storage.IMetadataStore"/>. Call it
    /// before the engine is added: the export starts listening when the host starts, and what the engine counts
    /// before that is not seen.</summary>
    public static IServiceCollection AddOrchestratorMetrics(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<EngineMetrics>();
        services.TryAddSingleton<StoreCountsCache>();
        services.TryAddSingleton<PrometheusExport>();
        services.AddHostedService<StartExport>();
        return services;
    }

    /// <summary>Maps GET /metrics. Its authorization is the caller's (the returned builder).</summary>
    public static IEndpointConventionBuilder MapOrchestratorMetrics(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var registry = app.ServiceProvider.GetRequiredService<PrometheusExport>().Registry;
        return app.MapMetrics("/metrics", registry);
    }

    /// <summary>Starts listening to the meters when the host starts rather than at the first scrape.</summary>
    private sealed class StartExport : IHostedService
    {
        // Being constructed is the point: the export listens from its constructor on.
        public StartExport(PrometheusExport export) => ArgumentNullException.ThrowIfNull(export);

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
