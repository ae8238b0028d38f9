using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Core.TriggerRules;

namespace Orchestrator.Engine.Tests;

public class RunCoordinatorTests
{
    [Fact]
    public async Task Run_GoesEndToEnd_ThroughHangfireWorkers_AndEveryStepIsRecorded()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("etl").Param("table", "orders");
        var extract = dag.Shell("extract", """echo '{"rows": 42}'""");
        var load = dag.Shell("load", "echo loading {{ outputs.extract.rows }} rows of {{ params.table }}").DependsOn(extract);
        dag.Shell("alert", "echo failed").DependsOn(load).TriggerRule(TriggerRule.OneFailed);
        var loaded = engine.Register(dag);

        var runId = await engine.TriggerAsync(loaded, """{"table": "sales"}""");

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(runId));
        var tasks = await engine.TasksAsync(runId);
        Assert.Equal((TaskInstanceState.Success, 1), (tasks["extract"].State, tasks["extract"].TryNumber));
        Assert.Equal(TaskInstanceState.Skipped, tasks["alert"].State);
        var outputs = await engine.Store.Outputs.GetAllAsync(runId, default);
        Assert.Equal("\"loading 42 rows of sales\"", outputs[new TaskId("load")]); // conf overrode the param
        var history = await engine.Store.TaskInstances.HistoryAsync(runId, new TaskId("load"), default);
        Assert.Equal(["none>scheduled", "scheduled>queued", "queued>running", "running>success"], history.Select(h => $"{h.From.ToName()}>{h.To.ToName()}"));
        Assert.All(history, h => Assert.False(string.IsNullOrEmpty(h.Reason)));
        var run = await engine.Store.Runs.GetAsync(runId, default);
        Assert.NotNull(run!.EndedAt);
    }

    [Fact]
    public async Task FailedTry_IsRecordedAsUpForRetry_WithItsNextTryTime_ThenTheRetryRuns()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("flaky");
        dag.Shell("flaky", "echo try $ORCHESTRATOR_TRY_NUMBER; test $ORCHESTRATOR_TRY_NUMBER -ge 2").Retries(1, "50ms");
        var runId = await engine.TriggerAsync(engine.Register(dag));

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(runId));
        var tries = await engine.Store.TaskInstances.ListTriesAsync(runId, new TaskId("flaky"), default);
        Assert.Equal([("failed", 1), ("success", 2)], tries.Select(t => (t.Outcome!, t.TryNumber)));
        var history = await engine.Store.TaskInstances.HistoryAsync(runId, new TaskId("flaky"), default);
        var retry = history.Single(h => h.To == TaskInstanceState.UpForRetry);
        Assert.Contains("command exited with code 1; try 2 at ", retry.Reason, StringComparison.Ordinal);
        Assert.Equal(["try 2"], (await engine.Store.Logs.ReadAsync(runId, new TaskId("flaky"), 2, default)).Where(l => l.Level == "stdout").Select(l => l.Message));
    }

    [Fact]
    public async Task Failure_PropagatesUpstreamFailed_AndFailsTheRun()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("broken");
        dag.Shell("a", "exit 3").Then(dag.Empty("b"));
        var runId = await engine.TriggerAsync(engine.Register(dag));

        Assert.Equal(DagRunState.Failed, await engine.FinishedAsync(runId));
        var tasks = await engine.TasksAsync(runId);
        Assert.Equal((TaskInstanceState.Failed, TaskInstanceState.UpstreamFailed), (tasks["a"].State, tasks["b"].State));
    }

    [Fact]
    public async Task EngineRestartMidRun_RecordsTheLostTry_AndTheRunCompletes()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("long");
        dag.Shell("slow", "if [ $ORCHESTRATOR_TRY_NUMBER -eq 1 ]; then sleep 60; fi; echo done").Retries(2, "10ms")
            .Then(dag.Empty("after"));
        var loaded = engine.Register(dag);
        var runId = await engine.TriggerAsync(loaded);
        await Eventually.WaitUntilAsync(async () => (await engine.TasksAsync(runId))["slow"].State == TaskInstanceState.Running);

        await engine.RestartAsync();
        Assert.True(await engine.Coordinator.StartAsync(runId, default));

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(runId));
        var tries = await engine.Store.TaskInstances.ListTriesAsync(runId, new TaskId("slow"), default);
        Assert.Equal([("lost", 1), ("success", 2)], tries.Select(t => (t.Outcome!, t.TryNumber)));
        Assert.Equal(TaskInstanceState.Success, (await engine.TasksAsync(runId))["after"].State);
    }

    [Fact]
    public async Task EngineRestartDuringARetryWait_RunsTheRetryAtItsTime_NotAtOnce()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("flaky");
        dag.Shell("flaky", "if [ $ORCHESTRATOR_TRY_NUMBER -eq 1 ]; then exit 3; fi; echo ok").Retries(1, "3s");
        var loaded = engine.Register(dag);
        var runId = await engine.TriggerAsync(loaded);
        await Eventually.WaitUntilAsync(async () => (await engine.TasksAsync(runId))["flaky"].State == TaskInstanceState.UpForRetry);
        var dueAt = (await engine.TasksAsync(runId))["flaky"].NextTryAt!.Value;

        await engine.RestartAsync();
        Assert.True(await engine.Coordinator.StartAsync(runId, default));

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(runId));
        var tries = await engine.Store.TaskInstances.ListTriesAsync(runId, new TaskId("flaky"), default);
        Assert.Equal([("failed", 1), ("success", 2)], tries.Select(t => (t.Outcome!, t.TryNumber)));
        Assert.True(tries[1].StartedAt >= dueAt.AddMilliseconds(-1), $"retry started {tries[1].StartedAt:O}, due {dueAt:O}");
    }
}
