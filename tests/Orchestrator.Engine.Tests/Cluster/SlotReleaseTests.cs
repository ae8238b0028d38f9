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
        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        var reports = new HeldReports(_cluster.Store.TryReports, hold: "a");
        using var worker = _cluster.NewWorker("w1", concurrency: 1, followQueues: new HashSet<string> { "default" },
            store: new Pools.HookedStore(_cluster.Store) { ReportsOverride = reports });
        var runId = await _cluster.TriggerAsync(scheduler, loaded);
        var dispatched = new[] { _cluster.NextDispatched(), _cluster.NextDispatched() }.OrderBy(t => t.Task.Value).ToList(); // a, b

        // One slot: b can only run once a's slot is free, and a's report stays uncommitted until the test lets it go.
        var job = worker.ClaimAndStartAsync(dispatched, default);
        await reports.HeldEntered;
        await job.WaitAsync(TimeSpan.FromSeconds(30)); // b claimed and started: the slot was free (a hang guard)
        await reports.Committed("b").WaitAsync(TimeSpan.FromSeconds(30));

        reports.Release();
        await worker.StopAsync(TimeSpan.FromMinutes(1));
        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();
        Assert.Equal(DagRunState.Success, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
    }

    [Fact]
    public async Task ATryWhoseReportMayStartTheNextTask_KeepsItsSlotUntilTheReportCommits()
    {
        var dag = new DagBuilder("chain_and_other");
        dag.Task("next", "empty").DependsOn(dag.Task("a", "empty"));
        dag.Task("b", "empty");
        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        var reports = new HeldReports(_cluster.Store.TryReports, hold: "a");
        using var worker = _cluster.NewWorker("w1", concurrency: 1, followQueues: new HashSet<string> { "default" },
            store: new Pools.HookedStore(_cluster.Store) { ReportsOverride = reports });
        var runId = await _cluster.TriggerAsync(scheduler, loaded);
        var dispatched = new[] { _cluster.NextDispatched(), _cluster.NextDispatched() }.OrderBy(t => t.Task.Value).ToList(); // a, b

        var job = worker.ClaimAndStartAsync(dispatched, default);
        await reports.HeldEntered;
        await Task.Delay(200); // a window for b to start wrongly; b is not claimed while a's report is held
        Assert.False(job.IsCompleted);
        Assert.Equal(TaskInstanceState.Queued, (await _cluster.TasksAsync(runId))["b"].State);

        reports.Release();
        await job.WaitAsync(TimeSpan.FromSeconds(30));
        await worker.StopAsync(TimeSpan.FromMinutes(1));
        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();
        Assert.Equal(DagRunState.Success, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
    }

    /// <summary>Holds the report of task <c>hold</c> before it reaches the store until <see cref="Release"/>; tells when
    /// another task's report has committed.</summary>
    private sealed class HeldReports(ITryReportStore inner, string hold) : ITryReportStore
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _committed = new();

        public Task HeldEntered => _entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        public void Release() => _release.TrySetResult();

        public Task Committed(string task) => CommittedSource(task).Task;

        private TaskCompletionSource CommittedSource(string task) =>
            _committed.GetOrAdd(task, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

        public Task<bool> ReportAsync(TryReport report, CancellationToken cancellationToken) => inner.ReportAsync(report, cancellationToken);

        public async Task<ReportResult> ReportAsync(TryReport report, FollowOn? follow, CancellationToken cancellationToken)
        {
            if (report.TaskId.Value == hold)
            {
                _entered.TrySetResult();
                await _release.Task;
            }

            var result = await inner.ReportAsync(report, follow, cancellationToken);
            CommittedSource(report.TaskId.Value).TrySetResult();
            return result;
        }

        public Task<IReadOnlyDictionary<TaskId, string>> OutputsAsync(RunId runId, CancellationToken cancellationToken) => inner.OutputsAsync(runId, cancellationToken);

        public Task<IReadOnlyList<TryReport>> ListAsync(IReadOnlyCollection<RunId>? runIds, int limit, CancellationToken cancellationToken) => inner.ListAsync(runIds, limit, cancellationToken);

        public Task<int> DeleteStaleAsync(CancellationToken cancellationToken) => inner.DeleteStaleAsync(cancellationToken);
    }
}
