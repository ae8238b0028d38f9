using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Cluster;
using Orchestrator.Engine.Runs;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Tests.Cluster;

/// <summary>An operator's clear or mark of a run a cluster's scheduler drives: filed in the store, applied by that
/// scheduler alone (through its coordinator, so what it decides next agrees), its outcome recorded for the filer.</summary>
public sealed class ClusterRunChangeTests : IAsyncLifetime
{
    private ClusterFixture _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task AClearRequest_IsAppliedByTheRunsDriverOnly_AndTheTaskRunsAgain_WhileARefusalIsRecordedAsSuch()
    {
        var dag = new DagBuilder("pair");
        dag.Task("x", "shell", new { command = "echo x" });
        dag.Task("y", "shell", new { command = "echo y" });
        var loaded = _cluster.Register(dag);
        var (driver, other) = (_cluster.NewScheduler("s1"), _cluster.NewScheduler("s2"));
        var worker = _cluster.NewWorker("w1");
        var runId = await _cluster.TriggerAsync(driver, loaded);
        var dispatched = new[] { _cluster.NextDispatched(), _cluster.NextDispatched() };
        var x = dispatched.Single(d => d.Task.Value == "x");
        await worker.RunAsync(x.Run, x.Task, x.Try, default);
        await driver.Driving.TakeReportsAsync(default);
        await driver.Coordinator.DrainAsync();
        Assert.Equal(TaskInstanceState.Success, (await _cluster.TasksAsync(runId))["x"].State); // y stays queued: the run runs on

        var clear = await _cluster.Store.RunChanges.SubmitAsync(new RunChangeRequest(0, runId, new TaskId("x"), false, null, "cleared by ada", _cluster.Time.GetUtcNow()), default);
        var mark = await _cluster.Store.RunChanges.SubmitAsync(new RunChangeRequest(0, runId, new TaskId("y"), false, TaskInstanceState.Success, "marked success by ada", _cluster.Time.GetUtcNow()), default);
        await other.Driving.ApplyRunChangesAsync(default); // drives nothing: takes nothing
        Assert.Equal(RunChangeStatus.Pending, (await _cluster.Store.RunChanges.GetAsync(clear, default))!.Status);

        await driver.Driving.ApplyRunChangesAsync(default);

        var cleared = (await _cluster.Store.RunChanges.GetAsync(clear, default))!;
        Assert.Equal((RunChangeStatus.Applied, "x", "s1"), (cleared.Status, cleared.Outcome, cleared.DecidedBy));
        var again = _cluster.NextDispatched();
        Assert.Equal(("x", 2), (again.Task.Value, again.Try)); // decided again and dispatched as its next try
        var instance = (await _cluster.TasksAsync(runId))["x"];
        Assert.Equal(TaskInstanceState.Queued, instance.State);
        var refused = (await _cluster.Store.RunChanges.GetAsync(mark, default))!;
        Assert.Equal(RunChangeStatus.Refused, refused.Status);
        Assert.Contains("'y'", refused.Outcome, StringComparison.Ordinal);
        Assert.Equal(TaskInstanceState.Queued, (await _cluster.TasksAsync(runId))["y"].State);
        Assert.Empty(await _cluster.Store.RunChanges.OpenAsync(default));
    }

    [Fact]
    public async Task ARequestLeftPendingPastTheTakeTimeout_IsWithdrawnByAnyScheduler_NotApplied()
    {
        var dag = new DagBuilder("single");
        dag.Task("x", "shell", new { command = "echo x" });
        var loaded = _cluster.Register(dag);
        var (driver, other) = (_cluster.NewScheduler("s1"), _cluster.NewScheduler("s2"));
        var runId = await _cluster.TriggerAsync(driver, loaded);
        Assert.Equal("x", _cluster.NextDispatched().Task.Value);
        // Filed by a web server that went away before it could withdraw it: older than the take timeout.
        var filedAt = _cluster.Time.GetUtcNow() - ClusterRunChanges.TakeTimeout - TimeSpan.FromSeconds(1);
        var stale = await _cluster.Store.RunChanges.SubmitAsync(new RunChangeRequest(0, runId, new TaskId("x"), false, TaskInstanceState.Failed, "marked failed by ada", filedAt), default);

        await other.Driving.ApplyRunChangesAsync(default); // not its run, but a stale request is anyone's to withdraw
        await driver.Driving.ApplyRunChangesAsync(default);

        Assert.Equal(RunChangeStatus.Withdrawn, (await _cluster.Store.RunChanges.GetAsync(stale, default))!.Status);
        Assert.Equal(TaskInstanceState.Queued, (await _cluster.TasksAsync(runId))["x"].State);
    }

    [Fact]
    public async Task AnAppliedRequest_IsDecidedInTheChangesOwnCommit_SoADriverDyingRightAfterCannotHaveItAppliedTwice()
    {
        var dag = new DagBuilder("pair");
        dag.Task("x", "shell", new { command = "echo x" });
        dag.Task("y", "shell", new { command = "echo y" }); // stays queued: the run goes on
        var loaded = _cluster.Register(dag);
        var driver = _cluster.NewScheduler("s1");
        var worker = _cluster.NewWorker("w1");
        var runId = await _cluster.TriggerAsync(driver, loaded);
        var x = new[] { _cluster.NextDispatched(), _cluster.NextDispatched() }.Single(d => d.Task.Value == "x");
        await worker.RunAsync(x.Run, x.Task, x.Try, default);
        await driver.Driving.TakeReportsAsync(default);
        await driver.Coordinator.DrainAsync();
        var id = await _cluster.Store.RunChanges.SubmitAsync(new RunChangeRequest(0, runId, new TaskId("x"), false, null, "cleared by ada", _cluster.Time.GetUtcNow()), default);
        Assert.True(await _cluster.Store.RunChanges.TakeAsync(id, "s1", _cluster.Time.GetUtcNow(), default));

        // What the driver does with a request it took, and then it dies: it never gets to a separate decide.
        var result = await driver.Coordinator.ClearAsync(runId, new TaskId("x"), false, "cleared by ada", default, new TakenRequest(id, "s1"));

        Assert.True(result!.RequestDecided);
        var decided = (await _cluster.Store.RunChanges.GetAsync(id, default))!;
        Assert.Equal((RunChangeStatus.Applied, "x", "s1"), (decided.Status, decided.Outcome, decided.DecidedBy));
        Assert.Empty(await _cluster.Store.RunChanges.OpenAsync(default)); // the next driver finds nothing to apply again
        var again = _cluster.NextDispatched();
        Assert.Equal(("x", 2), (again.Task.Value, again.Try));
    }

    [Fact]
    public async Task DecidedRequests_ArePurgedAfterTheRetention_AtMostOncePerInterval_OpenOnesNever()
    {
        var scheduler = _cluster.NewScheduler("s1");
        var now = _cluster.Time.GetUtcNow();
        async Task<long> WithdrawnAsync(DateTimeOffset at)
        {
            var id = await _cluster.Store.RunChanges.SubmitAsync(new RunChangeRequest(0, new RunId("gone"), new TaskId("x"), false, null, "cleared by ada", at), default);
            Assert.True(await _cluster.Store.RunChanges.WithdrawAsync(id, at, default));
            return id;
        }

        var old = await WithdrawnAsync(now - ClusterRunChanges.DecidedRetention - TimeSpan.FromMinutes(1));
        var recent = await WithdrawnAsync(now - ClusterRunChanges.DecidedRetention + TimeSpan.FromMinutes(30));
        var open = await _cluster.Store.RunChanges.SubmitAsync(new RunChangeRequest(0, new RunId("gone"), new TaskId("x"), false, null, "cleared by ada", now), default);
        Assert.True(await _cluster.Store.RunChanges.TakeAsync(open, "s9", now - TimeSpan.FromDays(30), default)); // taken long ago, never decided

        await scheduler.Driving.ApplyRunChangesAsync(default);
        Assert.Null(await _cluster.Store.RunChanges.GetAsync(old, default));
        Assert.NotNull(await _cluster.Store.RunChanges.GetAsync(recent, default));

        _cluster.Time.Advance(TimeSpan.FromMinutes(40)); // recent is now past the retention, but the last purge was 40 min ago
        await scheduler.Driving.ApplyRunChangesAsync(default);
        Assert.NotNull(await _cluster.Store.RunChanges.GetAsync(recent, default));

        _cluster.Time.Advance(ClusterRunChanges.PurgeInterval);
        await scheduler.Driving.ApplyRunChangesAsync(default);
        Assert.Null(await _cluster.Store.RunChanges.GetAsync(recent, default));
        Assert.Equal(RunChangeStatus.Taken, (await _cluster.Store.RunChanges.GetAsync(open, default))!.Status);
    }
}
