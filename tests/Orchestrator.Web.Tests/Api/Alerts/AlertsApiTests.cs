using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Web.Api;
using Orchestrator.Web.Api.Alerts;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Tests.Api.Alerts;

/// <summary>The alerts rows of docs/rest-api.md over a real SQLite store.</summary>
public sealed class AlertsApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-alertsapi-").FullName;
    private WebApplication _app = null!;
    private SqlMetadataStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), TimeProvider.System, default);
        _app = await ApiTestServer.StartAsync(
            services =>
            {
            services.AddSingleton<IMetadataStore>(_store);
            },
            v1 => v1.MapAlertsApi());

        await Record("a", T0, """{"url":"https://hooks.example.com/x?token=s3cret&team=ml"}""", kind: "taskFailed", dag: "etl");
        await Record("b", T0.AddMinutes(1), """{"connection":"ops_webhook"}""", kind: "notify", dag: "etl");
        await Record("c", T0.AddMinutes(2), null, kind: "drift", dag: "monitor");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Alerts_ArePagedNewestFirst_WithEveryField_AndUrlQueriesMasked()
    {
        var page = await GetJsonAsync("/api/v1/alerts?limit=2&offset=1");

        Assert.Equal((3, 1, 2), (page.GetProperty("total").GetInt32(), page.GetProperty("offset").GetInt32(), page.GetProperty("limit").GetInt32()));
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["b", "a"], items.Select(i => i.GetProperty("message").GetString()));
        Assert.Equal(
            ["id", "kind", "severity", "message", "target", "state", "attempts", "lastError", "createdAt", "sentAt", "dagId", "runId", "taskId", "eventId"],
            items[1].EnumerateObject().Select(p => p.Name));
        Assert.Equal("https://hooks.example.com/x?token=***&team=***", items[1].GetProperty("target").GetProperty("url").GetString());
        Assert.Equal("ops_webhook", items[0].GetProperty("target").GetProperty("connection").GetString());
        Assert.Equal(("pending", 0, "r1"), (items[1].GetProperty("state").GetString(), items[1].GetProperty("attempts").GetInt32(), items[1].GetProperty("runId").GetString()));
        Assert.DoesNotContain("s3cret", page.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?kind=notify", "b")]
    [InlineData("?dagId=etl", "b,a")]
    [InlineData("?state=recorded", "c")]
    [InlineData("?state=PENDING&kind=taskFailed", "a")]
    [InlineData("?dagId=none", "")]
    public async Task Alerts_AreFiltered(string query, string expected)
    {
        var page = await GetJsonAsync("/api/v1/alerts" + query);

        Assert.Equal(expected, string.Join(",", page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("message").GetString())));
    }

    [Fact]
    public async Task OneAlert_IsFoundById_AndUnknownOnesAre404()
    {
        var first = (await GetJsonAsync("/api/v1/alerts?kind=drift")).GetProperty("items")[0];
        var id = first.GetProperty("id").GetInt64();

        var alert = await GetJsonAsync($"/api/v1/alerts/{id}");

        Assert.Equal(("c", "recorded", JsonValueKind.Null), (alert.GetProperty("message").GetString(), alert.GetProperty("state").GetString(), alert.GetProperty("target").ValueKind));
        Assert.Equal(HttpStatusCode.NotFound, (await Client("viewer").GetAsync(new Uri($"/api/v1/alerts/{id + 100}", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client("viewer").GetAsync(new Uri("/api/v1/alerts/abc", UriKind.Relative))).StatusCode);
    }

    [Theory]
    [InlineData("?state=lost", "state")]
    [InlineData("?kind=bogus", "kind")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?offset=x", "offset")]
    public async Task BadQueries_Are400_NamingTheParameter(string query, string field)
    {
        var response = await Client("viewer").GetAsync(new Uri("/api/v1/alerts" + query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alerts_NeedSignIn()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(null).GetAsync(new Uri("/api/v1/alerts", UriKind.Relative))).StatusCode);
    }

    private async Task Record(string message, DateTimeOffset at, string? target, string kind, string dag) =>
        await _store.Alerts.RecordAsync(new NewAlert(kind, "warning", message, target, "key-" + message, at) { DagId = dag, RunId = "r1", TaskId = "t" }, default);

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await Client("viewer").GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private HttpClient Client(string? role)
    {
        var client = _app.GetTestClient();
        if (role is not null)
        {
            client.DefaultRequestHeaders.Add(TestAuthentication.RoleHeader, role);
            client.DefaultRequestHeaders.Add(TestAuthentication.UserHeader, "alice");
        }

        return client;
    }
}
