using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Application.Pools;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Web.Api.OpenApi;
using Orchestrator.Web.Api.Pools;

namespace Orchestrator.Web.Tests.Api.Pools;

/// <summary>The pool rows of docs/rest-api.md over a real SQLite store: answers, paging, validation naming the field,
/// 404 and 409, and who may change what.</summary>
public sealed class PoolsApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-poolsapi-").FullName;
    private WebApplication _app = null!;
    private SqlMetadataStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), TimeProvider.System, default);
        _app = await ApiTestServer.StartAsync(
            services =>
            {
                services.AddSingleton<IMetadataStore>(_store);
                services.AddSingleton(TimeProvider.System);
                services.AddSingleton<PoolService>();
                services.AddOrchestratorOpenApi();
            },
            v1 =>
            {
                v1.MapPoolsApi();
                v1.MapOpenApi("/openapi/{documentName}.json"); // under the group: /api/v1/openapi/v1.json
            });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Pools_ArePagedByName_WithEveryField_AndTheirUsage()
    {
        await _store.Pools.SetAsync("gpu", 4, "the A100 boxes", T0, default);
        await _store.Pools.SetAsync("cpu", 2, null, T0, default);
        await _store.Pools.SetAsync("io", 1, null, T0, default);
        await SeedAsync(("a", TaskInstanceState.Running, "gpu", 2), ("b", TaskInstanceState.Queued, "gpu", 1), ("c", TaskInstanceState.Scheduled, "gpu", 5));

        var page = await GetJsonAsync("/api/v1/pools?limit=2&offset=1");

        Assert.Equal((3, 1, 2), (page.GetProperty("total").GetInt32(), page.GetProperty("offset").GetInt32(), page.GetProperty("limit").GetInt32()));
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["gpu", "io"], items.Select(i => i.GetProperty("name").GetString()));
        Assert.Equal(["name", "slots", "description", "updatedAt", "running", "queued", "waiting", "open"], items[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal((4, "the A100 boxes", 2, 1, 5, 1), (items[0].GetProperty("slots").GetInt32(), items[0].GetProperty("description").GetString(),
            items[0].GetProperty("running").GetInt32(), items[0].GetProperty("queued").GetInt32(), items[0].GetProperty("waiting").GetInt32(), items[0].GetProperty("open").GetInt32()));
        Assert.Equal(T0, items[0].GetProperty("updatedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task OnePool_IsFoundByName_AndUnknownOrImpossibleNamesAre404()
    {
        await _store.Pools.SetAsync("gpu.large", 4, null, T0, default);

        var pool = await GetJsonAsync("/api/v1/pools/gpu.large");
        var unknown = await Client("viewer").GetAsync(Url("/api/v1/pools/cpu"));
        var impossible = await Client("viewer").GetAsync(Url("/api/v1/pools/not%20a%20name"));

        Assert.Equal(("gpu.large", 4, 4), (pool.GetProperty("name").GetString(), pool.GetProperty("slots").GetInt32(), pool.GetProperty("open").GetInt32()));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("no pool 'cpu'", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, impossible.StatusCode);
    }

    [Fact]
    public async Task Put_Creates_201_ThenReplaces_200_RemovingALeftOutDescription()
    {
        var created = await SendAsync(HttpMethod.Put, "/api/v1/pools/gpu", """{"slots": 4, "description": "boxes"}""");
        var replaced = await SendAsync(HttpMethod.Put, "/api/v1/pools/gpu", """{"slots": 6}""");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/v1/pools/gpu", created.Headers.Location?.OriginalString);
        Assert.Equal(("gpu", 4, "boxes"), await SlotsAndDescription(created));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(("gpu", 6, null), await SlotsAndDescription(replaced));
        Assert.Equal((6, null), ((await _store.Pools.GetAsync("gpu", default))!.Slots, (await _store.Pools.GetAsync("gpu", default))!.Description));
    }

    [Theory]
    [InlineData("gpu", """{"description": "x"}""", "slots", "slots is required")]
    [InlineData("gpu", """{"slots": -1}""", "slots", "slots must be a whole number from 0 to 100,000")]
    [InlineData("gpu", """{"slots": 100001}""", "slots", "slots must be a whole number from 0 to 100,000")]
    [InlineData("gpu", """{"slots": 1.5}""", "slots", "slots must be an integer")]
    [InlineData("gpu", """{"slots": true}""", "slots", "slots must be an integer")]
    [InlineData("gpu", """{"slots": 4, "size": 2}""", "size", "size is not a field of this body")]
    [InlineData("gp%20u", """{"slots": 4}""", "name", "name must be 1-64 ASCII letters, digits")]
    public async Task Put_WithABadField_Is400_NamingIt_AndChangesNothing(string name, string body, string field, string detail)
    {
        var response = await SendAsync(HttpMethod.Put, $"/api/v1/pools/{name}", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.StartsWith(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(await _store.Pools.ListAsync(default));
    }

    [Fact]
    public async Task Put_WithATooLongDescription_Is400_NamingIt()
    {
        var response = await SendAsync(HttpMethod.Put, "/api/v1/pools/gpu", JsonSerializer.Serialize(new { slots = 1, description = new string('d', 501) }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("description", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Patch_ChangesOnlyTheGivenFields_And404sAnUnknownPool_And400sAnEmptyBody()
    {
        await _store.Pools.SetAsync("gpu", 4, "boxes", T0, default);

        var slots = await SendAsync(HttpMethod.Patch, "/api/v1/pools/gpu", """{"slots": 1}""");
        var cleared = await SendAsync(HttpMethod.Patch, "/api/v1/pools/gpu", """{"description": ""}""");
        var unknown = await SendAsync(HttpMethod.Patch, "/api/v1/pools/cpu", """{"slots": 1}""");
        var empty = await SendAsync(HttpMethod.Patch, "/api/v1/pools/gpu", "{}");

        Assert.Equal(("gpu", 1, "boxes"), await SlotsAndDescription(slots));
        Assert.Equal(("gpu", 1, null), await SlotsAndDescription(cleared));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("slots", (await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Null(await _store.Pools.GetAsync("cpu", default));
    }

    [Fact]
    public async Task Delete_Is204_Then404_And409WhileTaskInstancesHoldOrWaitForThePool()
    {
        await _store.Pools.SetAsync("idle", 1, null, T0, default);
        await _store.Pools.SetAsync("busy", 1, null, T0, default);
        await SeedAsync(("a", TaskInstanceState.Scheduled, "busy", 2));

        var deleted = await SendAsync(HttpMethod.Delete, "/api/v1/pools/idle", null);
        var again = await SendAsync(HttpMethod.Delete, "/api/v1/pools/idle", null);
        var busy = await SendAsync(HttpMethod.Delete, "/api/v1/pools/busy", null);

        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NotFound, HttpStatusCode.Conflict), (deleted.StatusCode, again.StatusCode, busy.StatusCode));
        Assert.Contains("2 asked for by ones waiting in scheduled", (await busy.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotNull(await _store.Pools.GetAsync("busy", default));
    }

    [Theory]
    [InlineData(null, "GET", HttpStatusCode.Unauthorized)]
    [InlineData("viewer", "GET", HttpStatusCode.OK)]
    [InlineData("viewer", "PUT", HttpStatusCode.Forbidden)]
    [InlineData("viewer", "PATCH", HttpStatusCode.Forbidden)]
    [InlineData("viewer", "DELETE", HttpStatusCode.Forbidden)]
    [InlineData("operator", "PUT", HttpStatusCode.Forbidden)]
    [InlineData("operator", "PATCH", HttpStatusCode.Forbidden)]
    [InlineData("operator", "DELETE", HttpStatusCode.Forbidden)]
    [InlineData("admin", "PUT", HttpStatusCode.OK)]
    [InlineData("admin", "PATCH", HttpStatusCode.OK)]
    [InlineData("admin", "DELETE", HttpStatusCode.NoContent)]
    public async Task ReadingIsForEveryoneSignedIn_AndChangingForAdmins(string? role, string method, HttpStatusCode expected)
    {
        await _store.Pools.SetAsync("gpu", 4, null, T0, default);

        var response = await SendAsync(new HttpMethod(method), "/api/v1/pools/gpu", method is "PUT" or "PATCH" ? """{"slots": 2}""" : null, role);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Forbidden)
        {
            Assert.Equal(4, (await _store.Pools.GetAsync("gpu", default))!.Slots);
        }
    }

    [Fact]
    public async Task OpenApiDocument_HasThePoolPaths_AndThePoolSchema()
    {
        var document = await GetJsonAsync("/api/v1/openapi/v1.json");
        var paths = document.GetProperty("paths");

        Assert.Equal(["get"], paths.GetProperty("/api/v1/pools").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["get", "put", "patch", "delete"], paths.GetProperty("/api/v1/pools/{name}").EnumerateObject().Select(p => p.Name).Where(n => n != "parameters"));
        Assert.Equal(["name", "slots", "description", "updatedAt", "running", "queued", "waiting", "open"],
            document.GetProperty("components").GetProperty("schemas").GetProperty("PoolView").GetProperty("properties").EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=501", "limit")]
    [InlineData("?offset=-1", "offset")]
    [InlineData("?offset=x", "offset")]
    public async Task BadPaging_Is400_NamingTheParameter(string query, string field)
    {
        var response = await Client("viewer").GetAsync(Url("/api/v1/pools" + query));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    private async Task SeedAsync(params (string Task, TaskInstanceState State, string Pool, int Slots)[] tasks)
    {
        var run = new DagRunRecord(new RunId("r1"), new DagId("flow"), "v1", T0, RunType.Manual, DagRunState.Running, "{}", T0);
        Assert.True(await _store.Runs.CreateAsync(run,
            [.. tasks.Select(t => new TaskInstanceRecord(run.RunId, new TaskId(t.Task), t.State, 1, 1, "default", T0, Pool: t.Pool, PoolSlots: t.Slots))], default));
    }

    private static async Task<(string?, int, string?)> SlotsAndDescription(HttpResponseMessage response)
    {
        var pool = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (pool.GetProperty("name").GetString(), pool.GetProperty("slots").GetInt32(), pool.GetProperty("description").GetString());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, string? role = "admin")
    {
        using var request = new HttpRequestMessage(method, Url(path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        return await Client(role).SendAsync(request);
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await Client("viewer").GetAsync(Url(path));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Uri Url(string path) => new(path, UriKind.Relative);

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
