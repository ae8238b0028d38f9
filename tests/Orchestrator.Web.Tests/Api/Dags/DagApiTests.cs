using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Tests.Api.Dags;

public sealed class DagApiTests : IAsyncLifetime
{
    private const string EtlJson = """
        {
          "id": "etl", "description": "the etl", "schedule": "0 3 * * *",
          "params": { "source": "orders", "minRows": 10, "ratio": 0.5, "db_password": "hunter2" },
          "tasks": [
            { "id": "a", "type": "empty" },
            { "id": "b", "type": "empty", "dependsOn": ["a"] },
            { "id": "c", "type": "empty", "dependsOn": ["a"], "retries": 2 },
            { "id": "d", "type": "empty", "dependsOn": ["b", "c"] }
          ]
        }
        """;

    private static readonly DateTimeOffset Day1 = new(2026, 2, 1, 3, 0, 0, TimeSpan.Zero);
    private DagApiApp _app = null!;

    public async Task InitializeAsync() => _app = await DagApiApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task DagsList_IsPagedById_WithNextRunRecentRunsNewestFirst_AndNoNextRunWhenPaused()
    {
        await _app.RegisterDagAsync("etl.json", EtlJson);
        await _app.RegisterDagAsync("b.json", """{ "id": "beta", "tasks": [ { "id": "x", "type": "empty" } ] }""");
        await _app.RegisterDagAsync("c.json", """{ "id": "alpha", "schedule": "@hourly", "tasks": [ { "id": "x", "type": "empty" } ] }""");
        await CreateRunAsync("r1", Day1);
        await CreateRunAsync("r2", Day1.AddDays(1));
        await _app.Store.Dags.SetPausedAsync(new DagId("alpha"), true, _app.Time.GetUtcNow(), default);

        var first = await GetJsonAsync("/api/v1/dags?limit=2");
        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal(["alpha", "beta"], first.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("dagId").GetString()));
        Assert.Equal(JsonValueKind.Null, first.GetProperty("items")[0].GetProperty("nextRunAt").ValueKind);
        Assert.True(first.GetProperty("items")[0].GetProperty("isPaused").GetBoolean());

        var rest = await GetJsonAsync("/api/v1/dags?offset=2&limit=2");
        var etl = Assert.Single(rest.GetProperty("items").EnumerateArray());
        Assert.Equal("the etl", etl.GetProperty("description").GetString());
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 3, 0, 0, TimeSpan.Zero), etl.GetProperty("nextRunAt").GetDateTimeOffset());
        Assert.Equal(["r2", "r1"], etl.GetProperty("recentRuns").EnumerateArray().Select(r => r.GetProperty("runId").GetString()));

        var searched = await GetJsonAsync("/api/v1/dags?search=ETL");
        Assert.Equal(["etl"], searched.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("dagId").GetString()));
        Assert.Empty((await GetJsonAsync("/api/v1/dags?offset=10")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task DagDetail_HasParamsWithTypes_AndTasks_AndSourceByVersion()
    {
        var dag = await _app.RegisterDagAsync("etl.json", EtlJson);
        var detail = await GetJsonAsync("/api/v1/dags/etl");
        Assert.Equal("integer", detail.GetProperty("params").GetProperty("minRows").GetProperty("type").GetString());
        Assert.Equal("number", detail.GetProperty("params").GetProperty("ratio").GetProperty("type").GetString());
        Assert.Equal("orders", detail.GetProperty("params").GetProperty("source").GetProperty("default").GetString());
        Assert.False(detail.GetProperty("params").GetProperty("source").GetProperty("masked").GetBoolean());
        // A secret's default never leaves the server; its type still tells the form what to ask for.
        var password = detail.GetProperty("params").GetProperty("db_password");
        Assert.Equal("***", password.GetProperty("default").GetString());
        Assert.Equal("string", password.GetProperty("type").GetString());
        Assert.True(password.GetProperty("masked").GetBoolean());
        Assert.DoesNotContain("hunter2", detail.GetRawText(), StringComparison.Ordinal);
        var c = detail.GetProperty("tasks").EnumerateArray().Single(t => t.GetProperty("taskId").GetString() == "c");
        Assert.Equal(2, c.GetProperty("retries").GetInt32());
        Assert.Equal(["a"], c.GetProperty("upstream").EnumerateArray().Select(u => u.GetString()));
        Assert.Equal("all_success", c.GetProperty("triggerRule").GetString());

        var source = await GetJsonAsync($"/api/v1/dags/etl/source?version={dag.Version}");
        Assert.Contains("\"the etl\"", source.GetProperty("source").GetString(), StringComparison.Ordinal);
        await AssertProblemAsync(await _app.Client.GetAsync(new Uri("/api/v1/dags/etl/source?version=nope", UriKind.Relative)), HttpStatusCode.NotFound, null);
    }

    [Fact]
    public async Task UnknownThings_Are404_AndBadParameters_Are400NamingTheField()
    {
        await _app.RegisterDagAsync("etl.json", EtlJson);
        await AssertProblemAsync(await _app.Client.GetAsync(new Uri("/api/v1/dags/nope", UriKind.Relative)), HttpStatusCode.NotFound, null);
        await AssertProblemAsync(await _app.Client.GetAsync(new Uri("/api/v1/dags/bad%20id", UriKind.Relative)), HttpStatusCode.NotFound, null);
        await AssertProblemAsync(await _app.Client.GetAsync(new Uri("/api/v1/runs/nope", UriKind.Relative)), HttpStatusCode.NotFound, null);
        await AssertProblemAsync(await _app.Client.GetAsync(new Uri("/api/v1/dags?limit=0", UriKind.Relative)), HttpStatusCode.BadRequest, "limit");
        await AssertProblemAsync(await _app.Client.GetAsync(new Uri("/api/v1/dags?limit=abc", UriKind.Relative)), HttpStatusCode.BadRequest, "limit");
        await AssertProblemAsync(await _app.Client.GetAsync(new Uri("/api/v1/runs?offset=-1", UriKind.Relative)), HttpStatusCode.BadRequest, "offset");
        await AssertProblemAsync(await _app.Client.GetAsync(new Uri("/api/v1/runs?state=done", UriKind.Relative)), HttpStatusCode.BadRequest, "state");
        await AssertProblemAsync(await _app.Client.GetAsync(new Uri("/api/v1/dags/etl/grid?limit=101", UriKind.Relative)), HttpStatusCode.BadRequest, "limit");
        await CreateRunAsync("r1", Day1);
        await AssertProblemAsync(await _app.Client.GetAsync(new Uri("/api/v1/runs/r1/tasks/a/logs/0", UriKind.Relative)), HttpStatusCode.BadRequest, "tryNumber");
        await AssertProblemAsync(await _app.Client.GetAsync(new Uri("/api/v1/runs/r1/tasks/a/logs/x", UriKind.Relative)), HttpStatusCode.BadRequest, "tryNumber");
        await AssertProblemAsync(await _app.Client.GetAsync(new Uri("/api/v1/runs/r1/tasks/a/logs/1", UriKind.Relative)), HttpStatusCode.NotFound, null);
        await AssertProblemAsync(await _app.Client.GetAsync(new Uri("/api/v1/runs/r1/tasks/zz", UriKind.Relative)), HttpStatusCode.NotFound, null);
    }

    [Fact]
    public async Task Runs_ArePagedNewestFirst_FilteredByState()
    {
        await _app.RegisterDagAsync("etl.json", EtlJson);
        await CreateRunAsync("r1", Day1);
        await CreateRunAsync("r2", Day1.AddDays(1));
        await CreateRunAsync("r3", Day1.AddDays(2));
        await _app.Store.Runs.TryTransitionAsync(new RunTransition(new RunId("r2"), DagRunState.Queued, DagRunState.Running, _app.Time.GetUtcNow()), default);

        var page = await GetJsonAsync("/api/v1/dags/etl/runs?offset=1&limit=1");
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        Assert.Equal("r2", Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("runId").GetString());
        var running = await GetJsonAsync("/api/v1/runs?state=running");
        Assert.Equal(1, running.GetProperty("total").GetInt32());
        Assert.Equal("manual", running.GetProperty("items")[0].GetProperty("runType").GetString());
    }

    [Fact]
    public async Task Grid_HasNewestRunsOldestFirst_TasksInTopologicalOrder_AndTheirStates()
    {
        await _app.RegisterDagAsync("etl.json", EtlJson);
        await CreateRunAsync("r1", Day1);
        await CreateRunAsync("r2", Day1.AddDays(1));
        await CreateRunAsync("r3", Day1.AddDays(2));
        await QueueAsync(new RunId("r3"), new TaskId("a"));

        var grid = await GetJsonAsync("/api/v1/dags/etl/grid?limit=2");
        Assert.Equal(["a", "b", "c", "d"], grid.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["r2", "r3"], grid.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetString()));
        Assert.Equal(["none", "none", "none", "none"], grid.GetProperty("states")[0].EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(["queued", "none", "none", "none"], grid.GetProperty("states")[1].EnumerateArray().Select(s => s.GetString()));
    }

    [Fact]
    public async Task Graph_HasLayersOrderEdges_AndTheStatesOfTheLatestOrGivenRun()
    {
        await _app.RegisterDagAsync("etl.json", EtlJson);
        var empty = await GetJsonAsync("/api/v1/dags/etl/graph");
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("runId").ValueKind);
        Assert.Equal(3, empty.GetProperty("layerCount").GetInt32());
        var nodes = empty.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("taskId").GetString()!);
        Assert.Equal((0, 0), (nodes["a"].GetProperty("layer").GetInt32(), nodes["a"].GetProperty("order").GetInt32()));
        Assert.Equal(1, nodes["b"].GetProperty("layer").GetInt32());
        Assert.Equal(1, nodes["c"].GetProperty("layer").GetInt32());
        Assert.NotEqual(nodes["b"].GetProperty("order").GetInt32(), nodes["c"].GetProperty("order").GetInt32());
        Assert.Equal(2, nodes["d"].GetProperty("layer").GetInt32());
        Assert.Equal(JsonValueKind.Null, nodes["a"].GetProperty("state").ValueKind);
        Assert.Equal(["a>b", "a>c", "b>d", "c>d"], empty.GetProperty("edges").EnumerateArray()
            .Select(e => $"{e.GetProperty("from").GetString()}>{e.GetProperty("to").GetString()}").Order(StringComparer.Ordinal));

        await CreateRunAsync("r1", Day1);
        await CreateRunAsync("r2", Day1.AddDays(1));
        await QueueAsync(new RunId("r1"), new TaskId("a"));
        var latest = await GetJsonAsync("/api/v1/dags/etl/graph");
        Assert.Equal("r2", latest.GetProperty("runId").GetString());
        Assert.Equal("none", latest.GetProperty("nodes")[0].GetProperty("state").GetString());
        var given = await GetJsonAsync("/api/v1/dags/etl/graph?runId=r1");
        Assert.Equal("queued", given.GetProperty("nodes")[0].GetProperty("state").GetString());
        await AssertProblemAsync(await _app.Client.GetAsync(new Uri("/api/v1/dags/etl/graph?runId=nope", UriKind.Relative)), HttpStatusCode.NotFound, null);
    }

    [Fact]
    public async Task Logs_ComeInChunksAfterASeq_AndAreFinishedOnlyOnceTheTryEnded()
    {
        await _app.RegisterDagAsync("etl.json", EtlJson);
        await CreateRunAsync("r1", Day1);
        var (run, task, at) = (new RunId("r1"), new TaskId("a"), _app.Time.GetUtcNow());
        await QueueAsync(run, task);
        Assert.True(await _app.Store.TaskInstances.TryStartTryAsync(new TryStart(run, task, 1, "w1", at), default));
        await _app.Store.Logs.AppendAsync(run, task, 1, [new StoredLogLine(at, "stdout", "one"), new StoredLogLine(at, "stdout", "two")], default);

        var first = await GetJsonAsync("/api/v1/runs/r1/tasks/a/logs/1?after=0");
        Assert.Equal(["one", "two"], first.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("message").GetString()));
        Assert.False(first.GetProperty("finished").GetBoolean());
        var next = first.GetProperty("next").GetInt64();
        Assert.Equal(first.GetProperty("lines")[1].GetProperty("seq").GetInt64(), next);

        await _app.Store.Logs.AppendAsync(run, task, 1, [new StoredLogLine(at, "stderr", "three")], default);
        Assert.True(await _app.Store.TaskInstances.TryFinishTryAsync(new TryFinish(run, task, 1, "success", null, at.AddSeconds(2), TaskInstanceState.Success, "exit 0"), default));
        var last = await GetJsonAsync($"/api/v1/runs/r1/tasks/a/logs/1?after={next}");
        Assert.Equal(["three"], last.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("message").GetString()));
        Assert.True(last.GetProperty("finished").GetBoolean());
        var after = await GetJsonAsync($"/api/v1/runs/r1/tasks/a/logs/1?after={last.GetProperty("next").GetInt64()}");
        Assert.Empty(after.GetProperty("lines").EnumerateArray());
        Assert.Equal(last.GetProperty("next").GetInt64(), after.GetProperty("next").GetInt64());

        var detail = await GetJsonAsync("/api/v1/runs/r1/tasks/a");
        Assert.Equal("success", detail.GetProperty("state").GetString());
        Assert.Equal("empty", detail.GetProperty("type").GetString());
        Assert.Equal("success", Assert.Single(detail.GetProperty("tries").EnumerateArray()).GetProperty("outcome").GetString());
        Assert.Equal(["none>scheduled", "scheduled>queued", "queued>running", "running>success"], detail.GetProperty("history").EnumerateArray()
            .Select(h => $"{h.GetProperty("from").GetString()}>{h.GetProperty("to").GetString()}"));
        Assert.Equal(2000, detail.GetProperty("durationMs").GetInt64());
    }

    [Fact]
    public async Task SensitiveConfKeysAndOutputs_AreMasked()
    {
        await _app.RegisterDagAsync("etl.json", EtlJson);
        await CreateRunAsync("r1", Day1, """{"password":"hunter2","rows":5,"nested":{"apiToken":"t0k"}}""");
        await _app.Store.Outputs.SetAsync(new RunId("r1"), new TaskId("a"), """{"token":"abc","rows":3}""", default);

        var runText = await _app.Client.GetStringAsync(new Uri("/api/v1/runs/r1", UriKind.Relative));
        Assert.DoesNotContain("hunter2", runText, StringComparison.Ordinal);
        Assert.DoesNotContain("t0k", runText, StringComparison.Ordinal);
        var run = JsonDocument.Parse(runText).RootElement;
        Assert.Equal("***", run.GetProperty("conf").GetProperty("password").GetString());
        Assert.Equal(5, run.GetProperty("conf").GetProperty("rows").GetInt32());
        Assert.Equal(4, run.GetProperty("taskInstances").GetArrayLength());

        var task = await GetJsonAsync("/api/v1/runs/r1/tasks/a");
        Assert.Equal("***", task.GetProperty("output").GetProperty("token").GetString());
        Assert.Equal(3, task.GetProperty("output").GetProperty("rows").GetInt32());
    }

    [Fact]
    public async Task Viewer_IsRefusedOnWrites_OperatorReachesTheCommandsAsItself_AndAnonymousIs401()
    {
        await _app.RegisterDagAsync("etl.json", EtlJson);
        var viewer = _app.ClientAs(OrchestratorRoles.Viewer);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PatchAsync(new Uri("/api/v1/dags/etl", UriKind.Relative), Json("""{"isPaused":true}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync(new Uri("/api/v1/dags/etl/runs", UriKind.Relative), Json("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync(new Uri("/api/v1/runs/r1/tasks/a/clear", UriKind.Relative), Json("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync(new Uri("/api/v1/runs/r1/tasks/a/mark", UriKind.Relative), Json("""{"state":"success"}"""))).StatusCode);
        Assert.Empty(_app.Commands.Calls);
        var anonymous = _app.ClientAs("x");
        anonymous.DefaultRequestHeaders.Remove(DagApiApp.RoleHeader);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri("/api/v1/dags", UriKind.Relative))).StatusCode);

        var operatorClient = _app.ClientAs(OrchestratorRoles.Operator);
        var patched = await operatorClient.PatchAsync(new Uri("/api/v1/dags/etl", UriKind.Relative), Json("""{"isPaused":true}"""));
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(["pause etl True by alice"], _app.Commands.Calls);
        await AssertProblemAsync(await operatorClient.PatchAsync(new Uri("/api/v1/dags/etl", UriKind.Relative), Json("{}")), HttpStatusCode.BadRequest, "isPaused");
        await AssertProblemAsync(await operatorClient.PostAsync(new Uri("/api/v1/runs/r1/tasks/a/mark", UriKind.Relative), Json("""{"state":"running"}""")), HttpStatusCode.BadRequest, "state");
        await AssertProblemAsync(await operatorClient.PostAsync(new Uri("/api/v1/dags/etl/runs", UriKind.Relative), Json("""{"conf":[1]}""")), HttpStatusCode.BadRequest, "conf");
        Assert.Single(_app.Commands.Calls);
    }

    [Fact]
    public async Task OpenApiDocument_ListsThePaths_WithBearerAuth_AndTheReferencePageIsServedLocally()
    {
        var document = await GetJsonAsync("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[]
        {
            "/api/v1/dags", "/api/v1/dags/{dagId}", "/api/v1/dags/{dagId}/source", "/api/v1/dags/{dagId}/graph", "/api/v1/dags/{dagId}/grid",
            "/api/v1/dags/{dagId}/runs", "/api/v1/import-errors", "/api/v1/runs", "/api/v1/runs/{runId}", "/api/v1/runs/{runId}/tasks/{taskId}",
            "/api/v1/runs/{runId}/tasks/{taskId}/logs/{tryNumber}", "/api/v1/runs/{runId}/tasks/{taskId}/clear", "/api/v1/runs/{runId}/tasks/{taskId}/mark",
        })
        {
            Assert.Contains(path, paths);
        }

        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("scheme").GetString());
        Assert.True(document.GetProperty("components").GetProperty("schemas").TryGetProperty("GridView", out _));

        var page = await _app.Client.GetStringAsync(new Uri("/api/", UriKind.Relative));
        Assert.DoesNotContain("cdn.", page, StringComparison.OrdinalIgnoreCase);
        var script = await _app.Client.GetAsync(new Uri("/api/scalar.js", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    private async Task CreateRunAsync(string runId, DateTimeOffset logicalDate, string conf = "{}")
    {
        var run = new DagRunRecord(new RunId(runId), new DagId("etl"), (await _app.Store.Dags.GetAsync(new DagId("etl"), default))!.LatestVersion,
            logicalDate, RunType.Manual, DagRunState.Queued, conf, _app.Time.GetUtcNow());
        Assert.True(await _app.Store.Runs.CreateAsync(run,
            [.. new[] { "a", "b", "c", "d" }.Select(t => new TaskInstanceRecord(run.RunId, new TaskId(t), TaskInstanceState.None, 0, 1, "default", run.CreatedAt))], default));
    }

    private async Task QueueAsync(RunId run, TaskId task)
    {
        var at = _app.Time.GetUtcNow();
        Assert.True(await _app.Store.TaskInstances.TryTransitionAsync(new TaskTransition(run, task, TaskInstanceState.None, TaskInstanceState.Scheduled, "upstream done", at), default));
        Assert.True(await _app.Store.TaskInstances.TryTransitionAsync(new TaskTransition(run, task, TaskInstanceState.Scheduled, TaskInstanceState.Queued, "queued", at), default));
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await _app.Client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        if (field is not null)
        {
            Assert.Equal(field, problem.GetProperty("field").GetString());
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
