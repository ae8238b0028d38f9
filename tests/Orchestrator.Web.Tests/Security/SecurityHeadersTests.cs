using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Orchestrator.Web.Security;
using Orchestrator.Web.Tests.Api.Dags;

namespace Orchestrator.Web.Tests.Security;

/// <summary>Every answer refuses framing and sniffing; the sign-in page runs no script and allows only its own style;
/// the API reference calls no outside service.</summary>
public sealed partial class SecurityHeadersTests
{
    [Theory]
    [InlineData("/login")]
    [InlineData("/api/v1/me")] // 401 problem details
    [InlineData("/hangfire")]
    [InlineData("/no-such-page")]
    public async Task EveryAnswer_HasTheFramingSniffingAndReferrerHeaders(string path)
    {
        await using var app = await SecurityTestApp.StartAsync();

        var response = await app.NewBrowser().Client.GetAsync(path);

        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("same-origin", Header(response, "Referrer-Policy"));
    }

    [Fact]
    public async Task TheLoginPage_AllowsNoScript_AndOnlyItsOwnStyle_ByHash()
    {
        await using var app = await SecurityTestApp.StartAsync();

        var response = await app.NewBrowser().Client.GetAsync("/login");
        var html = await response.Content.ReadAsStringAsync();

        var csp = Header(response, "Content-Security-Policy");
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        var styles = StyleBlock().Matches(html);
        var style = Assert.Single(styles).Groups[1].Value;
        var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(style)));
        Assert.Contains($"style-src 'sha256-{hash}'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TheApiReference_TurnsOffTelemetry_TheAgent_Mcp_AndTheClientButton()
    {
        await using var app = await DagApiApp.StartAsync();

        var page = await app.Client.GetStringAsync(new Uri("/api/", UriKind.Relative));

        Assert.Matches("\"telemetry\"\\s*:\\s*false", page);
        Assert.Matches("\"hideClientButton\"\\s*:\\s*true", page);
        Assert.Matches("\"agent\"\\s*:\\s*\\{\\s*\"disabled\"\\s*:\\s*true", page);
        Assert.Matches("\"mcp\"\\s*:\\s*\\{\\s*\"disabled\"\\s*:\\s*true", page);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;

    [GeneratedRegex("<style>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleBlock();
}
