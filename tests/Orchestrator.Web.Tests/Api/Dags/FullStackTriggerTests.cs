using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Execution.Hosting;
using Orchestrator.Loading;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Web.Security;
using Orchestrator.Web.Tests.Security;

namespace Orchestrator.Web.Tests.Api.Dags;

/// <summary>Trigger through the whole web composition (<c>AddOrchestratorWeb</c> / <c>UseOrchestratorWeb</c>) with the
/// real security, commands and SQLite store: a bearer token needs no CSRF header, a cookie session does, and a
/// viewer's token may not trigger. Not on loopback (TestServer has no remote address): no automatic sign-in.</summary>
public sealed class FullStackTriggerTests : IAsyncLifetime
{
    private const string Password = "correct horse battery";
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-fullstack-").FullName;
    private SqlMetadataStore _store = null!;
    private WebApplication _app = null!;

    private UserAccounts Accounts => _app.Services.GetRequiredService<UserAccounts>();

    public async Task InitializeAsync()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        _store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), time, default);
        var path = Path.Combine(_folder, "etl.json");
        await File.WriteAllTextAsync(path, """{ "id": "etl", "tasks": [ { "id": "a", "type": "empty" } ] }""");
        var dag = Assert.Single((await DagLoaders.CreateFolderLoader(new DagLoaderOptions()).LoadFileAsync(path, default)).Dags);
        await DagRegistration.RegisterAsync(_store, dag, time.GetUtcNow(), default);

        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IMetadataStore>(_store);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddOrchestratorExecution();
        builder.Services.AddOrchestratorWeb();
        _app = builder.Build();
        _app.UseOrchestratorWeb(_ => null);
        await _app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task AnOperatorsBearerToken_Triggers_Without_ACsrfHeader()
    {
        using var client = await TokenClientAsync("ops", OrchestratorRoles.Operator);

        var response = await client.PostAsync(new Uri("/api/v1/dags/etl/runs", UriKind.Relative), Json("{}"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!;
        Assert.Equal(DagRunState.Queued, (await _store.Runs.GetAsync(new RunId(runId), default))!.State);
    }

    [Fact]
    public async Task ACookieSession_WithoutTheCsrfHeader_Is400_AndWithIt_Triggers()
    {
        await Accounts.CreateUserAsync("carol", OrchestratorRoles.Operator, Password, default);
        var browser = new SecurityTestApp.Browser(_app.GetTestServer(), remote: null);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.LoginAsync("carol", Password)).StatusCode);

        var refused = await browser.Client.PostAsync(new Uri("/api/v1/dags/etl/runs", UriKind.Relative), Json("{}"));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await _store.Runs.ListAsync(new RunQuery(), default));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/dags/etl/runs") { Content = Json("{}") };
        request.Headers.Add("X-CSRF-TOKEN", await browser.CsrfAsync());
        Assert.Equal(HttpStatusCode.Created, (await browser.Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task AViewersToken_Is403OnTrigger_AndNothingIsCreated()
    {
        using var client = await TokenClientAsync("watcher", OrchestratorRoles.Viewer);

        var response = await client.PostAsync(new Uri("/api/v1/dags/etl/runs", UriKind.Relative), Json("{}"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/v1/dags/etl", UriKind.Relative))).StatusCode); // it may read
        Assert.Empty(await _store.Runs.ListAsync(new RunQuery(), default));
    }

    [Fact]
    public async Task NoCredentials_Is401()
    {
        using var client = _app.GetTestServer().CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync(new Uri("/api/v1/dags/etl/runs", UriKind.Relative), Json("{}"))).StatusCode);
    }

    private async Task<HttpClient> TokenClientAsync(string user, string role)
    {
        await Accounts.CreateUserAsync(user, role, Password, default);
        var (_, token) = await Accounts.CreateTokenAsync(user, "script", null, default);
        var client = _app.GetTestServer().CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
