using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using System.Text.RegularExpressions;
using Orchestrator.Web.Dashboard;

namespace Orchestrator.Web.Tests.Dashboard;

public sealed partial class DashboardEndpointsTests : IAsyncLifetime
{
    private WebApplication _app = null!;

    public static TheoryData<string> PageUrls() =>
    [
        "/", "/dags", "/dags/etl_daily", "/runs/manual__2026-01-01T00:00:00+00:00", "/models", "/models/taxi_fare",
        "/experiments", "/experiments/7", "/experiments/compare?a=1&b=2", "/datasets", "/datasets/trips/3",
    ];

    public async Task InitializeAsync() => _app = await DashboardTestHost.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [MemberData(nameof(PageUrls))]
    public async Task Every_page_url_answers_the_shell_with_a_strict_csp(string url)
    {
        var response = await _app.Client().GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.StartsWith("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        var html = await response.Content.ReadAsStringAsync();
        var version = _app.Services.GetRequiredService<DashboardAssets>().Version;
        Assert.Contains($"src=\"/ui/{version}/app.js\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("%ASSET_BASE%", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(InlineScript(), html);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/dags/etl_daily")]
    [InlineData("/models/taxi_fare")]
    public async Task A_page_requires_a_signed_in_user(string url)
    {
        var response = await _app.Client(role: null).GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(response.Headers.Contains("Content-Security-Policy"));
    }

    [Fact]
    public async Task A_page_refuses_a_role_that_is_not_one_of_ours()
    {
        var response = await _app.Client(role: "guest").GetAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("app.js", "text/javascript")]
    [InlineData("style.css", "text/css")]
    [InlineData("favicon.svg", "image/svg+xml")]
    [InlineData("pages/dag.js", "text/javascript")]
    public async Task Assets_are_served_with_their_content_type_and_cached_for_good(string path, string mediaType)
    {
        var version = _app.Services.GetRequiredService<DashboardAssets>().Version;

        var response = await _app.Client(role: null).GetAsync(new Uri($"/ui/{version}/{path}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Contains("immutable", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_asset_asked_for_under_an_old_version_is_served_but_not_pinned()
    {
        var response = await _app.Client().GetAsync(new Uri("/ui/0ldversion/app.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
    }

    [Theory]
    [InlineData("nope.js")]
    [InlineData("pages/nope.js")]
    [InlineData("../Orchestrator.Web.dll")]
    [InlineData("pages")]
    public async Task An_unknown_asset_is_404(string path)
    {
        var version = _app.Services.GetRequiredService<DashboardAssets>().Version;

        var response = await _app.Client().GetAsync(new Uri($"/ui/{version}/{path}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_url_shared_with_a_json_endpoint_gives_browsers_the_page_and_scripts_the_json()
    {
        var page = await _app.Client().GetAsync(new Uri("/models/taxi_fare", UriKind.Relative));
        var script = _app.GetTestClient();
        script.DefaultRequestHeaders.Add(DashboardTestHost.RoleHeader, "viewer");
        script.DefaultRequestHeaders.Add("Accept", "application/json");
        var json = await script.GetAsync(new Uri("/models/taxi_fare", UriKind.Relative));

        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(DashboardTestHost.ServingJson, await json.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Every_relative_module_import_resolves_to_an_embedded_asset()
    {
        var assets = _app.Services.GetRequiredService<DashboardAssets>();
        var client = _app.Client();
        var pending = new Queue<string>(["app.js"]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryDequeue(out var path))
        {
            if (!seen.Add(path))
            {
                continue;
            }

            var response = await client.GetAsync(new Uri($"/ui/{assets.Version}/{path}", UriKind.Relative));
            Assert.True(response.IsSuccessStatusCode, $"{path} is imported but not served ({response.StatusCode}).");
            var folder = path.Contains('/', StringComparison.Ordinal) ? path[..path.LastIndexOf('/')] : string.Empty;
            foreach (Match import in ModuleImport().Matches(await response.Content.ReadAsStringAsync()))
            {
                pending.Enqueue(Resolve(folder, import.Groups["path"].Value));
            }
        }

        Assert.True(seen.Count > 5, $"Only {seen.Count} modules were reached from app.js.");
    }

    private static string Resolve(string folder, string relative)
    {
        var parts = folder.Length == 0 ? new List<string>() : [.. folder.Split('/')];
        foreach (var part in relative.Split('/'))
        {
            if (part == "..")
            {
                parts.RemoveAt(parts.Count - 1);
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }

        return string.Join('/', parts);
    }

    [GeneratedRegex("""(?:from|import)\s*\(?\s*['"](?<path>\.{1,2}/[^'"]+)['"]""")]
    private static partial Regex ModuleImport();

    [GeneratedRegex("<script(?![^>]*\\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();
}

public sealed class DashboardAssetsTests
{
    private readonly DashboardAssets _assets = new();

    [Theory]
    [InlineData("../Orchestrator.Web.dll")]
    [InlineData("pages/../../secret.js")]
    [InlineData("pages\\dag.js")]
    [InlineData("")]
    [InlineData(null)]
    public void A_path_outside_the_asset_folder_is_never_found(string? path) => Assert.Null(_assets.Find(path));

    [Fact]
    public void The_shell_points_at_the_versioned_asset_folder()
    {
        var shell = System.Text.Encoding.UTF8.GetString(_assets.Shell);

        Assert.Equal(12, _assets.Version.Length);
        Assert.Contains($"href=\"/ui/{_assets.Version}/style.css\"", shell, StringComparison.Ordinal);
        Assert.Equal("text/javascript; charset=utf-8", _assets.Find("app.js")?.ContentType);
    }
}

public sealed class DashboardVersionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dashboard-assets-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void The_version_changes_when_any_asset_changes_so_immutable_caching_is_safe()
    {
        Directory.CreateDirectory(Path.Combine(_root, "pages"));
        File.WriteAllText(Path.Combine(_root, "index.html"), "<script src=\"%ASSET_BASE%/app.js\"></script>");
        File.WriteAllText(Path.Combine(_root, "pages", "dag.js"), "export const a = 1;");
        using var before = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(_root);
        var first = new DashboardAssets(before).Version;

        File.WriteAllText(Path.Combine(_root, "pages", "dag.js"), "export const a = 2;");
        using var after = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(_root);
        var second = new DashboardAssets(after).Version;

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void The_embedded_assets_are_all_counted_in_the_version()
    {
        // SHA-256 of nothing: what a provider that lists no files would give.
        Assert.NotEqual("e3b0c44298fc", new DashboardAssets().Version);
    }
}
