using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Tests.Security;

/// <summary>The sign-in form: antiforgery, one answer for every failure, lockout, local redirects only, and a cookie
/// that holds the sign-in until the user changes.</summary>
public sealed class SignInTests : IAsyncLifetime
{
    private SecurityTestApp _app = null!;

    public async Task InitializeAsync()
    {
        _app = await SecurityTestApp.StartAsync(o => o.MaxFailedSignIns = 3);
        await _app.Accounts.CreateUserAsync("ada", OrchestratorRoles.Operator, SecurityTestApp.Password, default);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ThePage_HasTheAntiforgeryField()
    {
        var browser = _app.NewBrowser();
        var response = await browser.Client.GetAsync("/login?returnUrl=/dags");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Matches("name=\"__RequestVerificationToken\" value=\"[^\"]{20,}\"", html);
        Assert.Contains("name=\"returnUrl\" value=\"/dags\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RightPassword_SetsAStrictHttpOnlyCookie_AndGoesToTheLocalReturnUrl()
    {
        var browser = _app.NewBrowser();
        var response = await browser.LoginAsync("ada", SecurityTestApp.Password, "/dags/etl?tab=grid");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dags/etl?tab=grid", response.Headers.Location?.OriginalString);
        var setCookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(SecuritySchemes.CookieName, StringComparison.Ordinal));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);

        var me = await browser.Client.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal(("ada", "operator", false), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString(), me.GetProperty("autoSignedIn").GetBoolean()));
    }

    [Fact]
    public async Task WrongPassword_AndUnknownUser_GetTheSameAnswer_AndNoCookie()
    {
        var wrong = await _app.NewBrowser().LoginAsync("ada", "not the password");
        var unknown = await _app.NewBrowser().LoginAsync("nobody", SecurityTestApp.Password);

        foreach (var response in new[] { wrong, unknown })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("Wrong user name or password.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith(SecuritySchemes.CookieName, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task APostWithoutTheAntiforgeryToken_IsRefused()
    {
        var browser = _app.NewBrowser();
        await browser.LoginFormTokenAsync(); // the antiforgery cookie alone is not enough

        var response = await browser.LoginAsync("ada", SecurityTestApp.Password, withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(browser.Cookies, c => c.Name == SecuritySchemes.CookieName);
    }

    [Theory]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("https://evil.example/")]
    [InlineData("javascript:alert(1)")]
    public async Task AReturnUrlOffThisSite_GoesToTheRoot(string returnUrl)
    {
        var response = await _app.NewBrowser().LoginAsync("ada", SecurityTestApp.Password, returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task AfterTooManyFailures_TheNameIsLocked_EvenWithTheRightPassword_UntilTheLockEnds()
    {
        var browser = _app.NewBrowser();
        for (var i = 0; i < 3; i++)
        {
            await browser.LoginAsync("ada", "guess " + i);
        }

        var locked = await browser.LoginAsync("ada", SecurityTestApp.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Contains("Wrong user name or password.", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        _app.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.LoginAsync("ada", SecurityTestApp.Password)).StatusCode);
    }

    [Fact]
    public async Task MoreWrongGuessesWhileLocked_DoNotUndoTheLock()
    {
        var browser = _app.NewBrowser();
        for (var i = 0; i < 4; i++) // three lock the name; the fourth must not start a fresh count
        {
            await browser.LoginAsync("ada", "guess " + i);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.LoginAsync("ada", SecurityTestApp.Password)).StatusCode);
    }

    [Fact]
    public async Task ADeletedUsersCookie_NoLongerSignsIn()
    {
        var browser = _app.NewBrowser();
        await browser.LoginAsync("ada", SecurityTestApp.Password);
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/api/v1/me")).StatusCode);

        await _app.Store.Users.DeleteAsync("ada", default);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.Client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task ADeletedUsersCookie_StaysDead_WhenAUserOfTheSameNameIsCreatedAgain()
    {
        var browser = _app.NewBrowser();
        await browser.LoginAsync("ada", SecurityTestApp.Password);
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/api/v1/me")).StatusCode);
        var copied = browser.Cookies.Single(c => c.Name == SecuritySchemes.CookieName).Value;

        await _app.Store.Users.DeleteAsync("ada", default);
        _app.Time.Advance(TimeSpan.FromSeconds(1));
        await _app.Accounts.CreateUserAsync("ada", OrchestratorRoles.Admin, "a different password", default);

        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me") { Headers = { { "Cookie", $"{SecuritySchemes.CookieName}={copied}" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.Server.CreateClient().SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Logout_EndsTheSignIn()
    {
        var browser = _app.NewBrowser();
        await browser.LoginAsync("ada", SecurityTestApp.Password);
        var csrf = await browser.CsrfAsync();

        var request = new HttpRequestMessage(HttpMethod.Post, "/logout") { Headers = { { "X-CSRF-TOKEN", csrf } } };
        var response = await browser.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.Client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task APageRequest_WithoutSignIn_RedirectsToLogin_AndAnApiRequestGets401ProblemDetails()
    {
        var api = await _app.NewBrowser().Client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
    }
}
