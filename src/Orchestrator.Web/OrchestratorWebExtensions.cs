using Hangfire;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Application;
using Orchestrator.Application.Queries;
using Orchestrator.Application.Queries.Ml;
using Orchestrator.Web.Api;
using Orchestrator.Web.Api.Alerts;
using Orchestrator.Web.Api.Dags;
using Orchestrator.Web.Api.Events;
using Orchestrator.Web.Api.Ml;
using Orchestrator.Web.Api.OpenApi;
using Orchestrator.Web.Api.Pools;
using Orchestrator.Web.Dashboard;
using Orchestrator.Web.Health;
using Orchestrator.Web.Metrics;
using Orchestrator.Web.Security;

namespace Orchestrator.Web;

/// <summary>The web server of <c>standalone</c> (and of <c>webserver</c> in the distributed mode): REST API, dashboard,
/// access control, /health and /metrics, all over the application layer. Model serving is added beside it by the
/// host.</summary>
public static class OrchestratorWebExtensions
{
    /// <summary>Every service the web parts need. The host registers the metadata store, the secrets services and the
    /// DAG loading/execution services first (the CLI's composition root does).</summary>
    public static IServiceCollection AddOrchestratorWeb(this IServiceCollection services, Action<SecurityOptions>? security = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOrchestratorCommands();
        services.AddDagQueries();
        services.AddMlQueries();
        services.AddOrchestratorApiErrors();
        services.AddOrchestratorOpenApi();
        services.AddOrchestratorSecurity(security);
        // Deny by default: an endpoint that names no policy (the OpenAPI document, /hangfire, one added tomorrow)
        // still needs a signed-in viewer; the few open ones (/login, /health, the page assets) say AllowAnonymous.
        services.Configure<AuthorizationOptions>(options => options.FallbackPolicy = new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .RequireRole(OrchestratorRoles.All)
            .Build());
        services.AddOrchestratorMetrics();
        services.AddDashboard();
        return services;
    }

    /// <summary>The middleware in its order (errors, routing, authentication → CSRF → authorization) and every endpoint
    /// of the web parts. <paramref name="hangfireStorage"/> gives the engine's Hangfire storage for /hangfire (null when
    /// this process runs no engine). Returns the <c>/api/v1</c> group.</summary>
    public static RouteGroupBuilder UseOrchestratorWeb(this WebApplication app, Func<IServiceProvider, JobStorage?> hangfireStorage)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseOrchestratorSecurity();

        var v1 = app.MapGroup("/api/v1");
        v1.MapDagApi();
        v1.MapMlApi();
        v1.MapPerformanceApi();
        v1.MapDriftApi();
        v1.MapEventApi();
        v1.MapAlertsApi();
        v1.MapPoolsApi();
        app.MapSecurityEndpoints(v1);
        app.MapOrchestratorOpenApi();
        app.MapDashboard();
        app.MapOrchestratorHealth().AllowAnonymous();
        // Scrapers on this machine are signed in automatically (loopback); from elsewhere they need a viewer token.
        app.MapOrchestratorMetrics().RequireAuthorization(OrchestratorPolicies.Viewer);
        app.MapOrchestratorHangfireDashboard(hangfireStorage);
        return v1;
    }
}
