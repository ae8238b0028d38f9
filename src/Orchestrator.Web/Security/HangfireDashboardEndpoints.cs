using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Orchestrator.Web.Security;

public static class HangfireDashboardEndpoints
{
    public const string Path = "/hangfire";

    /// <summary>Hangfire's dashboard at /hangfire for admins only (401 when not signed in, 403 below admin), reading
    /// the engine's queues from <paramref name="storage"/>. The storage is asked for on the first request (the engine
    /// may start after the routes are mapped); while it is null the answer is 503. Needs no Hangfire services.</summary>
    public static IEndpointRouteBuilder MapOrchestratorHangfireDashboard(this IEndpointRouteBuilder app, Func<IServiceProvider, JobStorage?> storage)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(storage);
        RequestDelegate? dashboard = null;
        var gate = new object();
        app.Map(Path + "/{**path}", context =>
        {
            if (dashboard is null)
            {
                if (storage(context.RequestServices) is not { } jobStorage)
                {
                    return ProblemAnswers.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Engine not started", "the engine's job queue is not available yet");
                }

                lock (gate)
                {
                    dashboard ??= Build(app, jobStorage);
                }
            }

            return dashboard(context);
        }).ExcludeFromDescription();
        return app;
    }

    private static RequestDelegate Build(IEndpointRouteBuilder app, JobStorage storage)
    {
        var branch = app.CreateApplicationBuilder();
        var options = new DashboardOptions { Authorization = [new AdminOnly()], AppPath = "/", DisplayStorageConnectionString = false };
        // The middleware itself, not UseHangfireDashboard: that one needs services.AddHangfire, which points Hangfire's
        // process-wide log provider at this host's logger factory — the engine's Hangfire server would then log into
        // a disposed factory once this host stops (tests and restarts run several hosts in one process).
        branch.Map(Path, dashboard => dashboard.UseMiddleware<AspNetCoreDashboardMiddleware>(storage, options, DashboardRoutes.Routes));
        return branch.Build();
    }

    /// <summary>Checks the user the security middleware already authenticated (cookie, token or auto sign-in).</summary>
    private sealed class AdminOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) =>
            context.GetHttpContext().User is { Identity.IsAuthenticated: true } user && user.IsInRole(OrchestratorRoles.Admin);
    }
}
