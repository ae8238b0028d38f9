using Orchestrator.Core.Authoring;
using Orchestrator.Core.States;
using Orchestrator.Engine.Runs;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Tests.Cluster;

/// <summary>A cluster's return path, leases and fencing, with schedulers and workers in one process on one store:
/// a worker's try comes back as a report recorded once; a worker that stops heartbeating loses its try ("worker
/// lost"), which runs again while the late result is refused; a scheduler that lost a run's lease writes nothing more,
/// and another takes the run over from the store.</summary>
public sealed class ClusterDrivingTests : IAsyncLifetime
{
    private ClusterFixture _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task ReportedTries_AreRecordedOnce_ThroughTheStore_AndTheRunCompletes()
    {
        var dag = new DagBuilder("chain");
        dag.Task("a", "shell", new { command = "echo '{\"rows\": 3}'" }).Then(dag.Task("b", "shell", new { command = "echo rows={{ outputs.a.rows }}" }));
        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        var (w1, w2) = (_cluster.NewWorker("w1"), _cluster.NewWorker("w2"));
        var runId = await _cluster.TriggerAsync(scheduler, loaded);

        var first = _cluster.NextDispatched();
        await w1.RunAsync(first.Run, first.Task, first.Try, default);
        await w2.RunAsync(first.Run, first.Task, first.Try, default); // a duplicate delivery finds the try taken
        var report = Assert.Single(await _cluster.Store.TryReports.ListAsync(null, 10, default));
        Assert.True(scheduler.Coordinator.CompleteReported(report));
        Assert.False(scheduler.Coordinator.CompleteReported(report)); // read twice (two passes overlapping), decided once
        await scheduler.Driving.TakeReportsAsync(default);
        var second = _cluster.NextDispatched();
        Assert.Equal(("b", 1), (second.Task.Value, second.Try));
        await w2.RunAsync(second.Run, second.Task, second.Try, default);
        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();

        Assert.Equal(DagRunState.Success, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
        var tries = await _cluster.Store.TaskInstances.ListTriesAsync(runId, null, default);
        Assert.Equal([("a", 1, "w1"), ("b", 1, "w2")], tries.Select(t => (t.TaskId.Value, t.TryNumber, t.WorkerId!)));
        Assert.Contains("rows=3", string.Join("\n", (await _cluster.Store.Logs.ReadAsync(runId, second.Task, 1, default)).Select(l => l.Message)));
        Assert.Empty(await _cluster.Store.TryReports.ListAsync(null, 10, default));
    }

    [Fact]
    public async Task AWorkerThatStopsHeartbeating_LosesItsTry_WhichRunsAgain_AndItsLateResultIsRefused()
    {
        var gate = new Gate();
        _cluster.Registry.Register("test.gate", gate);
        var dag = new DagBuilder("lost");
        dag.Task("sleepy", "test.gate");
        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        var (silent, healthy) = (_cluster.NewWorker("silent"), _cluster.NewWorker("healthy"));
        var runId = await _cluster.TriggerAsync(scheduler, loaded);

        var first = _cluster.NextDispatched();
        var running = silent.RunAsync(first.Run, first.Task, first.Try, default);
        await gate.Entered;
        _cluster.Time.Advance(_cluster.Options.LeaseTimeout + TimeSpan.FromSeconds(1)); // no heartbeat from "silent"
        await scheduler.Driving.KeepUpAsync(default);

        var retry = _cluster.NextDispatched();
        Assert.Equal(("sleepy", 2), (retry.Task.Value, retry.Try));
        var lost = Assert.Single(await _cluster.Store.TaskInstances.ListTriesAsync(runId, null, default));
        Assert.Equal(("lost", RunCoordinator.WorkerLostError, "silent"), (lost.Outcome, lost.Error, lost.WorkerId));
        Assert.Contains((await _cluster.Store.TaskInstances.HistoryAsync(runId, retry.Task, default)),
            change => change.To == TaskInstanceState.UpForRetry && change.Reason!.Contains("worker silent stopped heartbeating", StringComparison.Ordinal));

        gate.Open(); // the presumed-dead worker finishes after all: its report is refused
        await running;
        Assert.Empty(await _cluster.Store.TryReports.ListAsync(null, 10, default));

        await healthy.RunAsync(retry.Run, retry.Task, retry.Try, default);
        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();
        var tasks = await _cluster.TasksAsync(runId);
        Assert.Equal((TaskInstanceState.Success, 2), (tasks["sleepy"].State, tasks["sleepy"].TryNumber));
        Assert.Equal(DagRunState.Success, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
        Assert.Equal([("lost", "silent"), ("success", "healthy")], (await _cluster.Store.TaskInstances.ListTriesAsync(runId, null, default)).Select(t => (t.Outcome!, t.WorkerId!)));
    }

    [Fact]
    public async Task ASchedulerThatLostTheRunsLease_WritesNothingMore_AndAnotherTakesTheRunOver()
    {
        var dag = new DagBuilder("handover");
        dag.Task("a", "shell", new { command = "echo a" }).Then(dag.Task("b", "shell", new { command = "echo b" }));
        var loaded = _cluster.Register(dag);
        var (stalled, other) = (_cluster.NewScheduler("stalled"), _cluster.NewScheduler("other"));
        var worker = _cluster.NewWorker("w1");
        var runId = await _cluster.TriggerAsync(stalled, loaded);
        var first = _cluster.NextDispatched();
        await worker.RunAsync(first.Run, first.Task, first.Try, default);

        // "stalled" stops renewing (a long GC pause, a partition); its lease runs out and "other" takes the run.
        _cluster.Time.Advance(_cluster.Options.LeaseTimeout + TimeSpan.FromSeconds(1));
        await other.Driving.KeepUpAsync(default);
        Assert.Equal("other", (await _cluster.Store.Leases.GetAsync("run/" + runId.Value, default))!.Owner);

        await stalled.Driving.TakeReportsAsync(default); // wakes up and tries to record the report: fenced out
        await stalled.Coordinator.DrainAsync();
        Assert.DoesNotContain(runId, stalled.Coordinator.ActiveRuns);
        Assert.Empty(_cluster.Dispatched); // nothing dispatched by the stalled one

        await other.Driving.TakeReportsAsync(default);
        var second = _cluster.NextDispatched();
        Assert.Equal(("b", 1), (second.Task.Value, second.Try));
        await worker.RunAsync(second.Run, second.Task, second.Try, default);
        await other.Driving.TakeReportsAsync(default);
        await other.Coordinator.DrainAsync();
        Assert.Equal(DagRunState.Success, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
        Assert.Equal([("a", 1), ("b", 1)], (await _cluster.Store.TaskInstances.ListTriesAsync(runId, null, default)).Select(t => (t.TaskId.Value, t.TryNumber)));
    }
}
