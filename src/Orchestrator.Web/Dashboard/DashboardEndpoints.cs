using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Dashboard;

/// <summary>The dashboard: <c>services.AddDashboard()</c> and <c>app.MapDashboard()</c>. Pages are one HTML shell
/// whose ES modules read the URL and draw the page from the REST API (docs/rest-api.md).</summary>
public static class DashboardEndpoints
{
    /// <summary>Every page URL; each answers the same shell, so links and reloads work.</summary>
    internal static readonly IReadOnlyList<string> PageRoutes =
    [
        "/",
        "/dags",
        "/dags/{dagId}",
        "/runs/{runId}",
        "/models",
        "/models/{name}",
        "/experiments",
        "/experiments/compare",
        "/experiments/{experimentId}",
        "/datasets",
        "/datasets/{name}/{version}",
        "/monitoring",
        "/pools",
    ];

    /// <summary>The shell may only load scripts, styles and images from this server: no inline script, no CDN.</summary>
    internal const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Registers the embedded assets and the routing rule that lets a page URL shared with a JSON endpoint
    /// (<c>/models/{name}</c>) answer browsers with the page and scripts with JSON.</summary>
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.TryAddSingleton(_ => new DashboardAssets());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, HtmlPageMatcherPolicy>());
        return services;
    }

    /// <summary>Maps the assets under <c>/ui/{version}/…</c> (anonymous: code only, no data) and the page shell at
    /// every page URL (viewer role; the cookie scheme sends others to /login).</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var assets = app.ServiceProvider.GetService<DashboardAssets>()
            ?? throw new InvalidOperationException("Call services.AddDashboard() before app.MapDashboard().");

        app.MapMethods(DashboardAssets.RootPath + "/{version}/{**path}", [HttpMethods.Get, HttpMethods.Head],
                (HttpContext context, string version, string? path) => ServeAssetAsync(context, assets, version, path))
            .AllowAnonymous()
            .ExcludeFromDescription();

        foreach (var route in PageRoutes)
        {
            app.MapMethods(route, [HttpMethods.Get, HttpMethods.Head], (HttpContext context) => ServeShellAsync(context, assets))
                .RequireAuthorization(OrchestratorPolicies.Viewer)
                .WithMetadata(HtmlPageMetadata.Instance)
                .ExcludeFromDescription();
        }

        return app;
    }

    private static async Task ServeShellAsync(HttpContext context, DashboardAssets assets)
    {
        var response = context.Response;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "same-origin";
        // The shell names the current asset version, so it must be revalidated each time.
        response.Headers.CacheControl = "no-cache";
        response.ContentLength = assets.Shell.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(assets.Shell, context.RequestAborted);
        }
    }

    private static async Task ServeAssetAsync(HttpContext context, DashboardAssets assets, string version, string? path)
    {
        var found = assets.Find(path);
        var response = context.Response;
        if (found is not { } asset)
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        response.ContentType = asset.ContentType;
        response.Headers.XContentTypeOptions = "nosniff";
        // Only the current version's URL may be cached forever; a stale version (a page loaded before an upgrade)
        // still gets today's file, but must not pin it.
        response.Headers.CacheControl = string.Equals(version, assets.Version, StringComparison.Ordinal)
            ? "public, max-age=31536000, immutable"
            : "no-cache";
        response.ContentLength = asset.File.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await using var stream = asset.File.CreateReadStream();
            await stream.CopyToAsync(response.Body, context.RequestAborted);
        }
    }
}
