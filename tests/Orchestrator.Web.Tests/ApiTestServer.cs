using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Web.Api;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Tests;

/// <summary>A TestServer with the API's error answers, the test sign-in scheme and the orchestrator's policies, the
/// services a test registers and the endpoints it maps under <c>/api/v1</c>.</summary>
internal static class ApiTestServer
{
    public static async Task<WebApplication> StartAsync(Action<IServiceCollection> services, Action<RouteGroupBuilder> map)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        services(builder.Services);
        builder.Services.AddOrchestratorApiErrors();
        TestAuthentication.AddTo(builder.Services);
        builder.Services.AddAuthorization(options => options.AddOrchestratorPolicies());
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        map(app.MapGroup("/api/v1"));
        await app.StartAsync();
        return app;
    }
}
