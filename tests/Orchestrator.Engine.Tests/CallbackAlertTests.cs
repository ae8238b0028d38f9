using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Tests;

/// <summary>Callbacks turn into alert records when it happens, in the engine's own commits: a retry, a final failure,
/// the run's failure; and the detecting DAG's onDrift when its drift event is delivered. Each once.</summary>
public sealed class CallbackAlertTests : EngineHomeTest
{
    [Fact]
    public async Task ARetriedThenFailedTask_RaisesOneRetryOneFailureAndOneRunFailureAlert()
    {
        WriteDag("flaky", """
            "callbacks": {"onFailure": {"url": "http://127.0.0.1:9/hook", "severity": "critical"}, "onRetry": {}},
            "tasks": [
              {"id": "ok", "type": "empty"},
              {"id": "boom", "type": "shell", "retries": 1, "retryDelay": "0s", "args": {"command": "echo broken >&2; exit 3"},
               "callbacks": {"onFailure": {"message": "{{ task.id }} failed on try {{ task.tryNumber }}"}}}
            ]
            """);
        await using var engine = await StartEngineAsync();
        var (runId, _) = await new RunFactory(Store, TimeProvider.System).CreateManualAsync(engine.Catalog.Current[new DagId("flaky")], "{}", default);
        await engine.StartQueuedRunsAsync();
        await Eventually.WaitUntilAsync(async () => (await Store.Runs.GetAsync(runId, default))!.State == DagRunState.Failed, TimeSpan.FromSeconds(30));

        var alerts = (await Store.Alerts.ListAsync(new AlertQuery(DagId: "flaky"), default)).Items.OrderBy(a => a.Id).ToList();
        Assert.Equal(["taskRetry", "taskFailed", "runFailed"], alerts.Select(a => a.Kind));
        var retry = alerts[0];
        Assert.Equal(("boom", runId.Value, AlertState.Recorded), (retry.TaskId, retry.RunId, retry.State)); // no target: recorded only
        var failed = alerts[1];
        Assert.Equal("boom failed on try 2", failed.Message);
        var runFailed = alerts[2];
        Assert.Equal(("critical", AlertState.Pending, """{"url":"http://127.0.0.1:9/hook"}"""), (runFailed.Severity, runFailed.State, runFailed.Target));
        Assert.Null(runFailed.TaskId);
    }

    [Fact]
    public async Task ADriftEvent_FiresItsSourceDagsOnDriftCallbacks_Once()
    {
        WriteDag("monitor", """
            "callbacks": {"onDrift": {"message": "retraining {{ dag.id }}", "severity": "info"}},
            "tasks": [{"id": "check", "type": "empty", "callbacks": {"onDrift": {"severity": "warning"}}}]
            """);
        await using var engine = await StartEngineAsync();
        var (drift, _) = await Store.Events.EmitAsync(new NewEvent(EventKinds.Drift, "taxi", """{"share": 0.6}""", "k", DateTimeOffset.UtcNow)
        {
            SourceDagId = "monitor", SourceRunId = "r1", SourceTaskId = "check",
        }, default);
        await engine.StartQueuedRunsAsync();

        var alerts = (await Store.Alerts.ListAsync(new AlertQuery(Kind: "drift"), default)).Items.OrderBy(a => a.Id).ToList();
        Assert.Equal(["warning", "info"], alerts.Select(a => a.Severity)); // the task's callback, then the DAG's
        Assert.All(alerts, alert => Assert.Equal((drift.Id, "r1", "check"), (alert.EventId!.Value, alert.RunId, alert.TaskId)));
        Assert.Equal("retraining monitor", alerts[1].Message);
        Assert.Equal("Drift detected by 'check' of DAG 'monitor' (run 'r1'): data drift on 'taxi' (share 0.6)", alerts[0].Message);

        // delivered again (as after a restart before it was marked): no second alert
        await new Events.EventDelivery(Store, engine.Catalog, new RunFactory(Store, TimeProvider.System), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).DeliverPendingAsync(default);
        Assert.Equal(2, (await Store.Alerts.ListAsync(new AlertQuery(Kind: "drift"), default)).Total);
    }

    private void WriteDag(string id, string rest) => File.WriteAllText(Path.Combine(Dags, $"{id}.json"), $$"""{"id": "{{id}}", {{rest}} }""");
}
