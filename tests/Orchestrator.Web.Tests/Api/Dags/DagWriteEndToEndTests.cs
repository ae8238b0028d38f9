using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Tests.Api.Dags;

/// <summary>The DAG API's write endpoints over the application layer's REAL commands and a real SQLite store (no engine
/// in this process): what a request changes is read back from the store.</summary>
public sealed class DagWriteEndToEndTests : IAsyncLifetime
{
    private const string EtlJson = """
        {
          "id": "etl", "schedule": "0 3 * * *",
          "params": { "source": "orders", "minRows": 10 },
          "tasks": [
            { "id": "a", "type": "empty" },
            { "id": "b", "type": "empty", "dependsOn": ["a"] },
            { "id": "c", "type": "empty", "dependsOn": ["a"] },
            { "id": "d", "type": "empty", "dependsOn": ["b", "c"] }
          ]
        }
        """;

    private static readonly DagId Etl = new("etl");
    private DagApiApp _app = null!;
    private HttpClient _operator = null!;

    public async Task InitializeAsync()
    {
        _app = await DagApiApp.StartAsync(realCommands: true);
        await _app.RegisterDagAsync("etl.json", EtlJson);
        _operator = _app.ClientAs(OrchestratorRoles.Operator);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task PostRun_WithConf_Is201_AndTheRunIsQueuedInTheStore_WithItsConf()
    {
        var response = await _operator.PostAsync(new Uri("/api/v1/dags/etl/runs", UriKind.Relative), Json("""{"conf": {"minRows": 5, "note": "hi"}}"""));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var runId = new RunId(body.GetProperty("runId").GetString()!);
        Assert.Equal("queued", body.GetProperty("state").GetString());
        var run = (await _app.Store.Runs.GetAsync(runId, default))!;
        Assert.Equal((DagRunState.Queued, RunType.Manual), (run.State, run.RunType));
        Assert.Equal(5, JsonDocument.Parse(run.Conf).RootElement.GetProperty("minRows").GetInt32());
        Assert.Equal(["a", "b", "c", "d"], (await _app.Store.TaskInstances.ListAsync(runId, default)).Select(t => t.TaskId.Value).Order(StringComparer.Ordinal));
        Assert.EndsWith($"/api/v1/runs/{runId}", Uri.UnescapeDataString(response.Headers.Location?.ToString() ?? ""), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostRun_WithBadConf_Is400_NamingConfDotParam_AndCreatesNothing()
    {
        var response = await _operator.PostAsync(new Uri("/api/v1/dags/etl/runs", UriKind.Relative), Json("""{"conf": {"minRows": "five"}}"""));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal("conf.minRows", problem.GetProperty("field").GetString());
        Assert.Empty(await _app.Store.Runs.ListAsync(new RunQuery(), default));
    }

    [Fact]
    public async Task PatchPause_PausesTheDagInTheStore_AndUnpauseUndoesIt()
    {
        var paused = await _operator.PatchAsync(new Uri("/api/v1/dags/etl", UriKind.Relative), Json("""{"isPaused": true}"""));

        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.True((await paused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("isPaused").GetBoolean());
        Assert.True((await _app.Store.Dags.GetAsync(Etl, default))!.IsPaused);

        await _operator.PatchAsync(new Uri("/api/v1/dags/etl", UriKind.Relative), Json("""{"isPaused": false}"""));
        Assert.False((await _app.Store.Dags.GetAsync(Etl, default))!.IsPaused);
    }

    [Fact]
    public async Task ClearingAFailedTaskOfAFinishedRun_QueuesTheRun_ResetsTheTask_AndRecordsWhoClearedIt()
    {
        var runId = await FailedRunAsync();

        var response = await _operator.PostAsync(new Uri($"/api/v1/runs/{runId}/tasks/b/clear", UriKind.Relative), Json("""{"downstream": false}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["b", "d"], (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cleared").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(DagRunState.Queued, (await _app.Store.Runs.GetAsync(runId, default))!.State);
        var b = (await _app.Store.TaskInstances.ListAsync(runId, default)).Single(t => t.TaskId.Value == "b");
        Assert.Equal(TaskInstanceState.None, b.State);
        Assert.Contains(await _app.Store.TaskInstances.HistoryAsync(runId, new TaskId("b"), default),
            change => change is { From: TaskInstanceState.Failed, To: TaskInstanceState.None, Reason: "cleared by alice" });
    }

    [Fact]
    public async Task MarkingAFailedTaskSuccess_IsRecordedWithWhoMarkedIt()
    {
        var runId = await FailedRunAsync();

        var response = await _operator.PostAsync(new Uri($"/api/v1/runs/{runId}/tasks/b/mark", UriKind.Relative), Json("""{"state": "success"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("success", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        var b = (await _app.Store.TaskInstances.ListAsync(runId, default)).Single(t => t.TaskId.Value == "b");
        Assert.Equal((TaskInstanceState.Success, "marked success by alice"), (b.State, b.StateReason));
        var bad = await _operator.PostAsync(new Uri($"/api/v1/runs/{runId}/tasks/c/mark", UriKind.Relative), Json("""{"state": "skipped"}"""));
        Assert.Equal("state", (await ProblemAsync(bad, HttpStatusCode.BadRequest)).GetProperty("field").GetString());
    }

    [Fact]
    public async Task ClearingOrMarkingARunningTask_Is409ProblemDetails_AndChangesNothing()
    {
        var runId = await TriggerAsync();
        var at = _app.Time.GetUtcNow();
        Assert.True(await _app.Store.Runs.TryTransitionAsync(new RunTransition(runId, DagRunState.Queued, DagRunState.Running, at), default));
        await RunTaskAsync(runId, "a", at);

        var clear = await _operator.PostAsync(new Uri($"/api/v1/runs/{runId}/tasks/a/clear", UriKind.Relative), Json("""{"downstream": false}"""));
        var mark = await _operator.PostAsync(new Uri($"/api/v1/runs/{runId}/tasks/a/mark", UriKind.Relative), Json("""{"state": "failed"}"""));

        Assert.Contains("running", (await ProblemAsync(clear, HttpStatusCode.Conflict)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        await ProblemAsync(mark, HttpStatusCode.Conflict);
        Assert.Equal(TaskInstanceState.Running, (await _app.Store.TaskInstances.ListAsync(runId, default)).Single(t => t.TaskId.Value == "a").State);
    }

    [Fact]
    public async Task AViewer_IsRefusedEveryWrite_AndNothingChanges()
    {
        var viewer = _app.ClientAs(OrchestratorRoles.Viewer);

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync(new Uri("/api/v1/dags/etl/runs", UriKind.Relative), Json("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PatchAsync(new Uri("/api/v1/dags/etl", UriKind.Relative), Json("""{"isPaused": true}"""))).StatusCode);

        Assert.Empty(await _app.Store.Runs.ListAsync(new RunQuery(), default));
        Assert.False((await _app.Store.Dags.GetAsync(Etl, default))!.IsPaused);
    }

    private async Task<RunId> TriggerAsync()
    {
        var response = await _operator.PostAsync(new Uri("/api/v1/dags/etl/runs", UriKind.Relative), Json("{}"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return new RunId((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("runId").GetString()!);
    }

    /// <summary>A run triggered through the API and left as an engine would: a, c succeeded, b failed, d upstream_failed.</summary>
    private async Task<RunId> FailedRunAsync()
    {
        var runId = await TriggerAsync();
        var store = _app.Store;
        var at = _app.Time.GetUtcNow();
        Assert.True(await store.Runs.TryTransitionAsync(new RunTransition(runId, DagRunState.Queued, DagRunState.Running, at), default));
        foreach (var (task, outcome) in new[] { ("a", TaskInstanceState.Success), ("b", TaskInstanceState.Failed), ("c", TaskInstanceState.Success) })
        {
            await RunTaskAsync(runId, task, at);
            Assert.True(await store.TaskInstances.TryFinishTryAsync(new TryFinish(runId, new TaskId(task), 1, outcome.ToName(), null, at, outcome, "done"), default));
        }

        Assert.True(await store.TaskInstances.TryTransitionAsync(new TaskTransition(runId, new TaskId("d"), TaskInstanceState.None, TaskInstanceState.UpstreamFailed, "b failed", at), default));
        Assert.True(await store.Runs.TryTransitionAsync(new RunTransition(runId, DagRunState.Running, DagRunState.Failed, at), default));
        return runId;
    }

    private async Task RunTaskAsync(RunId runId, string task, DateTimeOffset at)
    {
        var id = new TaskId(task);
        Assert.True(await _app.Store.TaskInstances.TryTransitionAsync(new TaskTransition(runId, id, TaskInstanceState.None, TaskInstanceState.Scheduled, "met", at), default));
        Assert.True(await _app.Store.TaskInstances.TryTransitionAsync(new TaskTransition(runId, id, TaskInstanceState.Scheduled, TaskInstanceState.Queued, "queued", at), default));
        Assert.True(await _app.Store.TaskInstances.TryStartTryAsync(new TryStart(runId, id, 1, null, at), default));
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement;
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
