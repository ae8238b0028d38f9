using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Web.Dashboard;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Tests.Dashboard;

/// <summary>A TestServer with the dashboard, the role policies and a test scheme that signs in whoever sends the
/// <see cref="RoleHeader"/> header with that role (no header: not signed in, 401).</summary>
internal static class DashboardTestHost
{
    internal const string RoleHeader = TestAuthentication.RoleHeader;
    internal const string ServingJson = "{\"model\":\"from serving\"}";

    internal static async Task<WebApplication> StartAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        TestAuthentication.AddTo(builder.Services);
        builder.Services.AddAuthorization(options => options.AddOrchestratorPolicies());
        builder.Services.AddDashboard();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDashboard();
        // Stands for model serving's GET /models/{name}, which shares its URL with the model page.
        app.MapGet("/models/{name}", () => Results.Text(ServingJson, "application/json"));
        await app.StartAsync();
        return app;
    }

    internal static HttpClient Client(this WebApplication app, string? role = OrchestratorRoles.Viewer)
    {
        var client = app.GetTestClient();
        if (role is not null)
        {
            client.DefaultRequestHeaders.Add(RoleHeader, role);
        }

        client.DefaultRequestHeaders.Add("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
        return client;
    }
}
