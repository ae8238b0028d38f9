using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Cluster;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Tests.Cluster;

/// <summary>When a worker's slot is free again: as soon as a try has ended and its report cannot start a follow-on,
/// before that report commits (the next try's claim overlaps the commit); a try whose report may start the next task
/// keeps its slot until the report is in.</summary>
public sealed class SlotReleaseTests : IAsyncLifetime
{
    private ClusterFixture _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task ATryWithNothingToFollow_FreesItsSlotBeforeItsReportCommits()
    {
        var dag = new DagBuilder("independent");
        dag.Task("a", "empty");
        dag.Task("b", "empty");
        var (runId, scheduler, worker, reports, job) = await StartBothOnOneSlotAsync(dag);

        // One slot: b can only run once a's slot is free, and a's report stays uncommitted until the test lets it go.
        await job.WaitAsync(TimeSpan.FromSeconds(30)); // b claimed and started: the slot was free (a hang guard)
        await reports.Committed("b").WaitAsync(TimeSpan.FromSeconds(30));

        reports.Release();
        await FinishAsync(runId, scheduler, worker);
    }

    [Fact]
    public async Task ATryWhoseReportMayStartTheNextTask_KeepsItsSlotUntilTheReportCommits()
    {
        var dag = new DagBuilder("chain_and_other");
        dag.Task("next", "empty").DependsOn(dag.Task("a", "empty"));
        dag.Task("b", "empty");
        var (runId, scheduler, worker, reports, job) = await StartBothOnOneSlotAsync(dag);

        await Task.Delay(200); // a window for b to start wrongly; b is not claimed while a's report is held
        Assert.False(job.IsCompleted);
        Assert.Equal(TaskInstanceState.Queued, (await _cluster.TasksAsync(runId))["b"].State);

        reports.Release();
        await job.WaitAsync(TimeSpan.FromSeconds(30));
        await FinishAsync(runId, scheduler, worker);
    }

    /// <summary>Triggers <paramref name="dag"/> (tasks a and b ready) and hands both to a worker of one slot whose
    /// report of a is held; returns once a's report is held, with the job that claims and starts them.</summary>
    private async Task<(RunId Run, Scheduler Scheduler, ClusterTaskWorker Worker, HeldReports Reports, Task Job)> StartBothOnOneSlotAsync(DagBuilder dag)
    {
        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        var reports = new HeldReports(_cluster.Store.TryReports, hold: "a");
        var worker = _cluster.NewWorker("w1", concurrency: 1, followQueues: new HashSet<string> { "default" },
            store: new Pools.HookedStore(_cluster.Store) { ReportsOverride = reports });
        var runId = await _cluster.TriggerAsync(scheduler, loaded);
        var dispatched = new[] { _cluster.NextDispatched(), _cluster.NextDispatched() }.OrderBy(t => t.Task.Value).ToList(); // a, b
        var job = worker.ClaimAndStartAsync(dispatched, default);
        await reports.HeldEntered;
        return (runId, scheduler, worker, reports, job);
    }

    private async Task FinishAsync(RunId runId, Scheduler scheduler, ClusterTaskWorker worker)
    {
        await worker.StopAsync(TimeSpan.FromMinutes(1));
        worker.Dispose();
        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();
        Assert.Equal(DagRunState.Success, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
    }

    /// <summary>Holds the report of task <c>hold</c> before it reaches the store until <see cref="Release"/>; tells when
    /// another task's report has committed.</summary>
    private sealed class HeldReports(ITryReportStore inner, string hold) : DelegatingTryReports(inner)
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _committed = new();

        public Task HeldEntered => _entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        public void Release() => _release.TrySetResult();

        public Task Committed(string task) => CommittedSource(task).Task;

        private TaskCompletionSource CommittedSource(string task) =>
            _committed.GetOrAdd(task, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        public override async Task<ReportResult> ReportAsync(TryReport report, FollowOn? follow, CancellationToken cancellationToken)
        {
            if (report.TaskId.Value == hold)
            {
                _entered.TrySetResult();
                await _release.Task;
            }

            var result = await Inner.ReportAsync(report, follow, cancellationToken);
            CommittedSource(report.TaskId.Value).TrySetResult();
            return result;
        }
    }
}
