using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hangfire.InMemory;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Storage;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Web.Api;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Tests.Security;

/// <summary>A web app with the real security (cookie, bearer, loopback schemes; antiforgery; policies) over a real
/// SQLite store in a temp folder, on TestServer. The remote address is set per request from the X-Test-Remote header
/// (default: a non-loopback address), since TestServer has none.</summary>
internal sealed partial class SecurityTestApp : IAsyncDisposable
{
    public const string OperatorEndpoint = "/api/v1/test/operator";
    public const string Password = "correct horse battery";

    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-web-security-").FullName;
    private WebApplication _app = null!;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public IMetadataStore Store { get; private set; } = null!;

    public UserAccounts Accounts => _app.Services.GetRequiredService<UserAccounts>();

    public TestServer Server => _app.GetTestServer();

    public static async Task<SecurityTestApp> StartAsync(Action<SecurityOptions>? configure = null)
    {
        var app = new SecurityTestApp();
        await app.InitializeAsync(configure);
        return app;
    }

    private async Task InitializeAsync(Action<SecurityOptions>? configure)
    {
        Store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), Time, default);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(Store);
        builder.Services.AddSingleton<TimeProvider>(Time);
        builder.Services.AddOrchestratorApiErrors();
        builder.Services.AddOrchestratorSecurity(configure);
        _app = builder.Build();

        _app.Use((context, next) =>
        {
            context.Connection.RemoteIpAddress = IPAddress.Parse(context.Request.Headers["X-Test-Remote"] is { Count: > 0 } remote ? remote.ToString() : "203.0.113.7");
            return next(context);
        });
        _app.UseExceptionHandler();
        _app.UseRouting();
        _app.UseOrchestratorSecurity();
        var v1 = _app.MapGroup("/api/v1");
        _app.MapSecurityEndpoints(v1);
        v1.MapPost("/test/operator", () => Results.Ok(new { done = true })).RequireAuthorization(OrchestratorPolicies.Operator);
        var storage = new InMemoryStorage();
        _app.MapOrchestratorHangfireDashboard(_ => storage);
        await _app.StartAsync();
    }

    public async Task<string> TokenForAsync(string user, string role)
    {
        if (await Store.Users.GetAsync(user, default) is null)
        {
            await Accounts.CreateUserAsync(user, role, Password, default);
        }

        return (await Accounts.CreateTokenAsync(user, "test", null, default)).Token;
    }

    public Browser NewBrowser(string? remote = null) => new(Server, remote);

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await Store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A client that keeps cookies (TestServer's does not) and never follows redirects.</summary>
    internal sealed partial class Browser
    {
        private readonly CookieContainer _cookies = new();

        public Browser(TestServer server, string? remote)
        {
            Client = new HttpClient(new CookieHandler(_cookies, remote) { InnerHandler = server.CreateHandler() }) { BaseAddress = new Uri("http://localhost/") };
        }

        public HttpClient Client { get; }

        public CookieCollection Cookies => _cookies.GetAllCookies();

        public async Task<string> LoginFormTokenAsync(string path = "/login")
        {
            var html = await Client.GetStringAsync(path);
            return HiddenToken().Match(html).Groups[1].Value;
        }

        public async Task<HttpResponseMessage> LoginAsync(string user, string password, string? returnUrl = null, bool withToken = true)
        {
            var fields = new Dictionary<string, string> { ["userName"] = user, ["password"] = password, ["returnUrl"] = returnUrl ?? "" };
            if (withToken)
            {
                fields["__RequestVerificationToken"] = await LoginFormTokenAsync();
            }

            return await Client.PostAsync("/login", new FormUrlEncodedContent(fields));
        }

        public async Task<string> CsrfAsync()
        {
            var answer = await Client.GetFromJsonAsync<JsonElement>("/api/v1/csrf");
            Assert.Equal("X-CSRF-TOKEN", answer.GetProperty("headerName").GetString());
            return answer.GetProperty("token").GetString()!;
        }

        [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
        private static partial Regex HiddenToken();
    }

    private sealed class CookieHandler(CookieContainer cookies, string? remote) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var header = cookies.GetCookieHeader(request.RequestUri!);
            if (header.Length > 0)
            {
                request.Headers.Add("Cookie", header);
            }

            if (remote is not null)
            {
                request.Headers.Add("X-Test-Remote", remote);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var values))
            {
                foreach (var value in values)
                {
                    cookies.SetCookies(request.RequestUri!, value);
                }
            }

            return response;
        }
    }
}
