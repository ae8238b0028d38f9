using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Tests.Security;

/// <summary>The API under access control: CSRF for the cookie, none for bearer tokens, roles, token lifecycle,
/// loopback auto sign-in, user management without hashes.</summary>
public sealed class ApiAccessTests : IAsyncLifetime
{
    private SecurityTestApp _app = null!;

    public async Task InitializeAsync() => _app = await SecurityTestApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static HttpRequestMessage Post(string path, string? bearer = null, string? csrf = null, object? body = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-TOKEN", csrf);
        }

        return request;
    }

    [Fact]
    public async Task ACookieSignedPost_NeedsTheCsrfHeader()
    {
        await _app.Accounts.CreateUserAsync("ada", OrchestratorRoles.Operator, SecurityTestApp.Password, default);
        var browser = _app.NewBrowser();
        await browser.LoginAsync("ada", SecurityTestApp.Password);

        var without = await browser.Client.SendAsync(Post(SecurityTestApp.OperatorEndpoint));
        Assert.Equal(HttpStatusCode.BadRequest, without.StatusCode);
        var problem = await without.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("X-CSRF-TOKEN", problem.GetProperty("field").GetString());

        Assert.Equal(HttpStatusCode.BadRequest, (await browser.Client.SendAsync(Post(SecurityTestApp.OperatorEndpoint, csrf: "forged"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.SendAsync(Post(SecurityTestApp.OperatorEndpoint, csrf: await browser.CsrfAsync()))).StatusCode);
    }

    [Fact]
    public async Task ABearerToken_WorksWithoutCsrf_UntilRevoked()
    {
        var token = await _app.TokenForAsync("ci", OrchestratorRoles.Operator);
        var client = _app.NewBrowser().Client;

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Post(SecurityTestApp.OperatorEndpoint, token))).StatusCode);
        var record = Assert.Single(await _app.Store.Users.ListTokensAsync("ci", default));
        Assert.Equal(_app.Time.GetUtcNow(), record.LastUsedAt);

        await _app.Accounts.RevokeTokenAsync(record.Id, default);
        var revoked = await client.SendAsync(Post(SecurityTestApp.OperatorEndpoint, token));
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal("application/problem+json", revoked.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("orch_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-token")]
    [InlineData("")]
    public async Task AnUnknownToken_Gets401(string token)
    {
        await _app.TokenForAsync("ci", OrchestratorRoles.Admin);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);

        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.NewBrowser().Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task AnExpiredToken_Gets401()
    {
        await _app.Accounts.CreateUserAsync("ci", OrchestratorRoles.Viewer, SecurityTestApp.Password, default);
        var (_, token) = await _app.Accounts.CreateTokenAsync("ci", "short", TimeSpan.FromDays(1), default);
        var client = _app.NewBrowser().Client;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);
        _app.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task AViewer_Gets403_OnAnOperatorEndpoint()
    {
        var token = await _app.TokenForAsync("reader", OrchestratorRoles.Viewer);

        var response = await _app.NewBrowser().Client.SendAsync(Post(SecurityTestApp.OperatorEndpoint, token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task MyTokens_AreCreatedOnce_AndWork()
    {
        var first = await _app.TokenForAsync("ci", OrchestratorRoles.Operator);
        var created = await _app.NewBrowser().Client.SendAsync(Post("/api/v1/me/tokens", first, body: new { name = "nightly" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var answer = await created.Content.ReadFromJsonAsync<JsonElement>();
        var second = answer.GetProperty("token").GetString()!;

        Assert.StartsWith("orch_", second, StringComparison.Ordinal);
        Assert.Equal("nightly", answer.GetProperty("name").GetString());
        var stored = await _app.Store.Users.GetTokenAsync(answer.GetProperty("id").GetString()!, default);
        Assert.Equal(ApiTokens.Hash(second), stored!.TokenHash);
        Assert.Equal(HttpStatusCode.OK, (await _app.NewBrowser().Client.SendAsync(Post(SecurityTestApp.OperatorEndpoint, second))).StatusCode);
    }

    [Fact]
    public async Task Users_AreListedAndCreatedByAdmins_WithoutHashes()
    {
        var admin = await _app.TokenForAsync("root", OrchestratorRoles.Admin);
        var viewer = await _app.TokenForAsync("reader", OrchestratorRoles.Viewer);
        var client = _app.NewBrowser().Client;

        var created = await client.SendAsync(Post("/api/v1/users", admin, body: new { name = "bob", password = "long enough pw", role = "operator" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var bad = await client.SendAsync(Post("/api/v1/users", admin, body: new { name = "carol", password = "long enough pw", role = "boss" }));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("role", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());

        var list = new HttpRequestMessage(HttpMethod.Get, "/api/v1/users") { Headers = { Authorization = new("Bearer", admin) } };
        var body = await (await client.SendAsync(list)).Content.ReadAsStringAsync();
        var page = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["bob", "reader", "root"], page.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("name").GetString()));
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        foreach (var user in await _app.Store.Users.ListAsync(default))
        {
            Assert.DoesNotContain(user.PasswordHash!, body, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("hash", body, StringComparison.OrdinalIgnoreCase);
        var asViewer = new HttpRequestMessage(HttpMethod.Get, "/api/v1/users") { Headers = { Authorization = new("Bearer", viewer) } };
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(asViewer)).StatusCode);
    }
}

/// <summary>Loopback auto sign-in: only when enabled, only from loopback, and still CSRF-protected.</summary>
public sealed class AutoSignInTests
{
    [Theory]
    [InlineData(true, "127.0.0.1", HttpStatusCode.OK)]
    [InlineData(true, "::1", HttpStatusCode.OK)]
    [InlineData(true, "192.168.1.20", HttpStatusCode.Unauthorized)]
    [InlineData(false, "127.0.0.1", HttpStatusCode.Unauthorized)]
    public async Task OnlyWhenEnabled_AndOnlyFromLoopback(bool enabled, string remote, HttpStatusCode expected)
    {
        await using var app = await SecurityTestApp.StartAsync(o => o.AutoSignIn = enabled);

        var response = await app.NewBrowser(remote).Client.GetAsync("/api/v1/me");

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.OK)
        {
            var me = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(("local-admin", "admin", true), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString(), me.GetProperty("autoSignedIn").GetBoolean()));
        }
    }

    [Theory]
    [InlineData("localhost", HttpStatusCode.OK)]
    [InlineData("LOCALHOST:8080", HttpStatusCode.OK)]
    [InlineData("127.0.0.1:8080", HttpStatusCode.OK)]
    [InlineData("127.3.4.5", HttpStatusCode.OK)]
    [InlineData("[::1]:8080", HttpStatusCode.OK)]
    [InlineData("evil.example", HttpStatusCode.Unauthorized)]
    [InlineData("evil.example:8080", HttpStatusCode.Unauthorized)]
    [InlineData("localhost.evil.example", HttpStatusCode.Unauthorized)]
    [InlineData("192.168.1.5:8080", HttpStatusCode.Unauthorized)]
    public async Task OnlyWhenTheHostHeaderIsLoopbackToo_SoDnsRebindingGetsNothing(string host, HttpStatusCode expected)
    {
        await using var app = await SecurityTestApp.StartAsync(o => o.AutoSignIn = true);

        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me") { Headers = { Host = host } };
        var response = await app.NewBrowser("127.0.0.1").Client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task AnAutoSignedInPost_StillNeedsTheCsrfHeader()
    {
        await using var app = await SecurityTestApp.StartAsync(o => o.AutoSignIn = true);
        var browser = app.NewBrowser("127.0.0.1");

        Assert.Equal(HttpStatusCode.BadRequest, (await browser.Client.PostAsync(SecurityTestApp.OperatorEndpoint, null)).StatusCode);
        var request = new HttpRequestMessage(HttpMethod.Post, SecurityTestApp.OperatorEndpoint) { Headers = { { "X-CSRF-TOKEN", await browser.CsrfAsync() } } };
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.SendAsync(request)).StatusCode);
    }
}

/// <summary>/hangfire: admins only, checked on the user the security middleware authenticated.</summary>
public sealed class HangfireDashboardTests
{
    [Fact]
    public async Task NotSignedIn401_Operator403_Admin200()
    {
        await using var app = await SecurityTestApp.StartAsync();
        var operatorToken = await app.TokenForAsync("op", OrchestratorRoles.Operator);
        var adminToken = await app.TokenForAsync("root", OrchestratorRoles.Admin);

        async Task<HttpResponseMessage> GetAsync(string? token)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/hangfire");
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            return await app.NewBrowser().Client.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(operatorToken)).StatusCode);
        var admin = await GetAsync(adminToken);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        Assert.Contains("Hangfire", await admin.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
