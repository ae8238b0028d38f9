using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.States;
using Orchestrator.Storage;

namespace Orchestrator.Web.Health;

/// <summary>GET /health: <c>{"status","dags","importErrors","activeRuns"}</c> read from the store, so it answers the
/// same in <c>standalone</c> and in a <c>webserver</c> without an engine. The store failing to answer within
/// <see cref="StoreTimeout"/> is <c>{"status":"unhealthy"}</c> with 503, which load balancers and probes act on.</summary>
public static partial class OrchestratorHealthExtensions
{
    public static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Maps GET /health (no authentication needed by probes: it shows counts only). Needs an
    /// <see cref="IMetadataStore"/> in the app's services.</summary>
    public static IEndpointConventionBuilder MapOrchestratorHealth(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var store = app.ServiceProvider.GetRequiredService<IMetadataStore>();
        var time = app.ServiceProvider.GetService<TimeProvider>() ?? TimeProvider.System;
        var logger = app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OrchestratorHealthExtensions).FullName!);
        return app.MapGet("/health", async (CancellationToken aborted) =>
        {
            using var timeout = new CancellationTokenSource(StoreTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, timeout.Token);
            try
            {
                // Uncached on purpose: a probe must see the store as it is now.
                var counts = await store.Counts.CountAsync(linked.Token);
                return Results.Json(new
                {
                    status = "healthy",
                    dags = counts.ActiveDags,
                    importErrors = counts.ImportErrors,
                    activeRuns = counts.Runs.GetValueOrDefault(DagRunState.Running),
                });
            }
            catch (Exception exception) when (!aborted.IsCancellationRequested)
            {
                LogUnhealthy(logger, exception);
                return Results.Json(new { status = "unhealthy", error = "the metadata store did not answer" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "/health: the metadata store did not answer")]
    private static partial void LogUnhealthy(ILogger logger, Exception exception);
}
