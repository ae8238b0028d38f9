using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Core.TriggerRules;
using Orchestrator.Engine.Cluster;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Tests.Cluster;

/// <summary>A worker starting the next ready task itself right after a success (the chain's fast path): outputs flow
/// through tries the scheduler has not recorded yet, the scheduler adopts each such try instead of queueing its task,
/// and a task that is not surely ready (a join still waiting for a report, another trigger rule, a pool, another
/// queue) is left to the scheduler.</summary>
public sealed class FollowOnTests : IAsyncLifetime
{
    private ClusterFixture _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task AChain_RunsOnOneWorkerWithoutTheScheduler_AndItsOutputsFlowThroughUnrecordedTries()
    {
        var counter = new Counter();
        _cluster.Registry.Register("test.count", counter);
        var dag = new DagBuilder("chain");
        var previous = dag.Task("t0", "test.count");
        for (var i = 1; i < 6; i++)
        {
            previous = dag.Task($"t{i}", "test.count").DependsOn(previous);
        }

        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        using var worker = _cluster.NewWorker("w1", followQueues: new HashSet<string> { "default" });
        await using var claimer = new QueuedTryClaimer(_cluster.Store, worker, ["default"], _cluster.Options, _cluster.Time, NullLogger.Instance);
        var runId = await _cluster.TriggerAsync(scheduler, loaded);
        Assert.Equal("t0", _cluster.NextDispatched().Task.Value);

        await claimer.WakeAsync(); // t0 is claimed; each success starts the next task on this worker
        await WaitForReportsAsync(runId, 6);
        Assert.Empty(_cluster.Dispatched); // nothing was queued for t1..t5
        var tasks = await _cluster.TasksAsync(runId);
        Assert.All(tasks.Values, t => Assert.Equal(TaskInstanceState.Running, t.State)); // reported, not yet recorded
        Assert.Equal("try 1 started on w1 right after t2", tasks["t3"].StateReason);

        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();

        Assert.Equal(DagRunState.Success, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
        Assert.Empty(_cluster.Dispatched); // adopted, never dispatched
        var outputs = await _cluster.Store.Outputs.GetAllAsync(runId, default);
        Assert.Equal(6, JsonDocument.Parse(outputs[new TaskId("t5")]).RootElement.GetProperty("n").GetInt32()); // 1 + the upstream's, through 6 tasks
        var tries = await _cluster.Store.TaskInstances.ListTriesAsync(runId, null, default);
        Assert.Equal(6, tries.Count);
        Assert.All(tries, t => Assert.Equal((1, "w1", "success"), (t.TryNumber, t.WorkerId!, t.Outcome!)));
        Assert.Empty(await _cluster.Store.TryReports.ListAsync(null, 100, default));
        await worker.StopAsync(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task TasksNotSurelyReady_AreLeftToTheScheduler()
    {
        var counter = new Counter();
        _cluster.Registry.Register("test.count", counter);
        var dag = new DagBuilder("shapes");
        var root = dag.Task("root", "test.count");
        var left = dag.Task("left", "test.count").DependsOn(root).TriggerRule(TriggerRule.AllDone);
        var right = dag.Task("right", "test.count").DependsOn(root).Pool("limited");
        dag.Task("away", "test.count").DependsOn(root).Queue("training");
        dag.Task("join", "test.count").DependsOn(left, right);

        var loaded = _cluster.Register(dag);
        await _cluster.Store.Pools.SetAsync("limited", 5, null, _cluster.Time.GetUtcNow(), default);
        var scheduler = _cluster.NewScheduler("s1");
        using var worker = _cluster.NewWorker("w1", concurrency: 2, followQueues: new HashSet<string> { "default" });
        var runId = await _cluster.TriggerAsync(scheduler, loaded);
        await worker.ClaimAndStartAsync([_cluster.NextDispatched()], default);
        await WaitForReportsAsync(runId, 1);

        var report = Assert.Single(await _cluster.Store.TryReports.ListAsync([runId], 10, default));
        Assert.Null(report.FollowedTask); // all_done, a pool, another queue: none of them is the worker's to start
        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();
        Assert.Equal(["away", "left"], _cluster.Dispatched.Select(d => d.Task.Value).Order()); // "right" waits for its pool
        await worker.StopAsync(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void AJoinOfMoreUpstreamsThanTheBound_IsLeftToTheScheduler()
    {
        var dag = new DagBuilder("joins");
        var upstream = Enumerable.Range(0, TryReporter.MaxFollowUpstreams + 1).Select(i => dag.Task($"u{i:00}", "empty")).ToArray();
        dag.Task("narrow", "empty").DependsOn([.. upstream[..TryReporter.MaxFollowUpstreams], upstream[0]]); // a repeat counts once
        dag.Task("wide", "empty").DependsOn(upstream);
        var loaded = _cluster.Register(dag);

        var follow = TryReporter.FollowOn(loaded, loaded.Graph.IndexOf(new TaskId("u00")), new HashSet<string> { "default" }, _cluster.Time.GetUtcNow());

        Assert.Equal(["narrow"], follow!.Candidates.Select(c => c.TaskId.Value)); // "wide" would recount all its upstream tasks per report
    }

    [Fact]
    public async Task AfterAResume_AClearedTaskRunsAgain_InsteadOfBeingTakenForAFollowOn()
    {
        var (runId, scheduler, worker, gate) = await ChainWithAGateAsync();
        await scheduler.Coordinator.AbandonAsync(); // the scheduler dies with every report unrecorded
        _cluster.Time.Advance(_cluster.Options.LeaseTimeout + TimeSpan.FromSeconds(1));
        var next = _cluster.NewScheduler("s2");
        Assert.True(await next.Leases.TryAcquireAsync(runId, default));
        Assert.True(await next.Coordinator.StartAsync(runId, default)); // t1, t2 and the gate resume as leased, running tries
        await next.Driving.TakeReportsAsync(default);
        await next.Coordinator.DrainAsync();
        Assert.Equal(TaskInstanceState.Success, (await _cluster.TasksAsync(runId))["t1"].State);

        var cleared = await next.Coordinator.ClearAsync(runId, new TaskId("t1"), false, "cleared by ada", default);

        Assert.Equal(["t1"], cleared!.Changed.Select(t => t.Value));
        var (_, task, tryNumber) = _cluster.NextDispatched();
        Assert.Equal(("t1", 2), (task.Value, tryNumber)); // queued for a worker, not swallowed as an adopted try
        gate.Open();
        await worker.StopAsync(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task AChangeWhileAFollowOnIsUnrecorded_IsRefused_AndChangesNothing()
    {
        var (runId, scheduler, worker, gate) = await ChainWithAGateAsync();
        var before = await _cluster.TasksAsync(runId);
        Assert.Equal(TaskInstanceState.Running, before["gate"].State); // started by the worker; the scheduler has not heard

        var result = await scheduler.Coordinator.MarkAsync(runId, new TaskId("t0"), TaskInstanceState.Failed, "marked by ada", default);

        Assert.Empty(result!.Changed);
        Assert.Contains("was just started by a worker", result.Refusal, StringComparison.Ordinal);
        Assert.Equal(before.Values.Select(t => (t.TaskId, t.State)), (await _cluster.TasksAsync(runId)).Values.Select(t => (t.TaskId, t.State)));
        await scheduler.Driving.TakeReportsAsync(default); // once recorded, changes go through again
        await scheduler.Coordinator.DrainAsync();
        Assert.True(scheduler.Coordinator.IsActive(runId));
        gate.Open();
        await worker.StopAsync(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task AReportWhoseAnswerWasLost_AndThatWasRecordedMeanwhile_StillRunsItsFollowOn()
    {
        _cluster.Registry.Register("test.count", new Counter());
        var dag = new DagBuilder("lost_answer");
        dag.Task("t1", "test.count").DependsOn(dag.Task("t0", "test.count"));
        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        // The report and its follow-on commit, the scheduler records the report (adopting t1), and only then does the
        // worker's connection fail: it cannot know the commit happened, and its report is gone from the store.
        var reports = new AnswerLosingReports(_cluster.Store.TryReports, async () =>
        {
            await scheduler.Driving.TakeReportsAsync(default);
            await scheduler.Coordinator.DrainAsync();
        });
        using var worker = _cluster.NewWorker("w1", followQueues: new HashSet<string> { "default" },
            store: new Pools.HookedStore(_cluster.Store) { ReportsOverride = reports });
        var runId = await _cluster.TriggerAsync(scheduler, loaded);

        await worker.ClaimAndStartAsync([_cluster.NextDispatched()], default);
        await RecordOnceReportedAsync(runId, "t1", scheduler); // the report's retry waits on the fake clock
        Assert.Equal(DagRunState.Success, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
        Assert.All(await _cluster.Store.TaskInstances.ListTriesAsync(runId, null, default), t => Assert.Equal((1, "success"), (t.TryNumber, t.Outcome!)));
        await worker.StopAsync(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task TheDatabaseRestartingWhileAFollowOnIsPrepared_DelaysItsStart_AndDoesNotFailIt()
    {
        _cluster.Registry.Register("test.count", new Counter());
        var dag = new DagBuilder("outage_while_preparing");
        dag.Task("t1", "test.count").DependsOn(dag.Task("t0", "test.count")).Retries(0);
        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        // t1's upstream outputs are read while PostgreSQL restarts: the first two reads fail as a server shutting down.
        var reports = new OutageOnOutputs(_cluster.Store.TryReports, failures: 2);
        using var worker = _cluster.NewWorker("w1", followQueues: new HashSet<string> { "default" },
            store: new Pools.HookedStore(_cluster.Store) { ReportsOverride = reports });
        var runId = await _cluster.TriggerAsync(scheduler, loaded);

        await worker.ClaimAndStartAsync([_cluster.NextDispatched()], default);
        await RecordOnceReportedAsync(runId, "t1", scheduler); // the read's retry waits on the fake clock
        Assert.Equal(3, reports.OutputReads);
        Assert.Equal(DagRunState.Success, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
        Assert.All(await _cluster.Store.TaskInstances.ListTriesAsync(runId, null, default), t => Assert.Equal((1, "success"), (t.TryNumber, t.Outcome!)));
        await worker.StopAsync(TimeSpan.FromMinutes(1));
    }

    /// <summary>Moves the fake clock on (retries wait on it) until <paramref name="task"/>'s report is in the store, then
    /// lets the scheduler record every report.</summary>
    private async Task RecordOnceReportedAsync(RunId runId, string task, Scheduler scheduler)
    {
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60))) // a hang guard, not a timing
        {
            while ((await _cluster.Store.TryReports.ListAsync([runId], 10, default)).All(r => r.TaskId.Value != task))
            {
                _cluster.Time.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(10, bound.Token);
            }
        }

        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();
    }

    /// <summary>Fails the first <c>failures</c> reads of outputs as PostgreSQL does while it shuts down (57P01).</summary>
    private sealed class OutageOnOutputs(ITryReportStore inner, int failures) : DelegatingTryReports(inner)
    {
        private int _reads;

        public int OutputReads => _reads;

        public override Task<IReadOnlyDictionary<TaskId, string>> OutputsAsync(RunId runId, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _reads) <= failures
                ? throw new Npgsql.PostgresException("terminating connection due to administrator command", "FATAL", "FATAL", "57P01")
                : Inner.OutputsAsync(runId, cancellationToken);
    }

    /// <summary>Loses the answer of the first report that starts a follow-on: it commits, <c>afterCommit</c> runs, and the
    /// caller gets a connection error.</summary>
    private sealed class AnswerLosingReports(ITryReportStore inner, Func<Task> afterCommit) : DelegatingTryReports(inner)
    {
        private int _lost;

        public override async Task<ReportResult> ReportAsync(TryReport report, FollowOn? follow, CancellationToken cancellationToken)
        {
            var result = await Inner.ReportAsync(report, follow, cancellationToken);
            if (result.Followed is not null && Interlocked.Exchange(ref _lost, 1) == 0)
            {
                await afterCommit();
                throw new InvalidOperationException("the connection was reset before the commit's answer arrived");
            }

            return result;
        }
    }

    /// <summary>t0 → t1 → t2 → gate, run by one following-on worker up to the gate, which waits for the test; every
    /// report is left unrecorded.</summary>
    private async Task<(RunId Run, Scheduler Scheduler, ClusterTaskWorker Worker, Gate Gate)> ChainWithAGateAsync()
    {
        var gate = new Gate();
        _cluster.Registry.Register("test.count", new Counter());
        _cluster.Registry.Register("test.gate", gate);
        var dag = new DagBuilder("gated");
        var t0 = dag.Task("t0", "test.count");
        var t1 = dag.Task("t1", "test.count").DependsOn(t0);
        var t2 = dag.Task("t2", "test.count").DependsOn(t1);
        dag.Task("gate", "test.gate").DependsOn(t2);
        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        var worker = _cluster.NewWorker("w1", followQueues: new HashSet<string> { "default" });
        var runId = await _cluster.TriggerAsync(scheduler, loaded);
        await worker.ClaimAndStartAsync([_cluster.NextDispatched()], default);
        await WaitForReportsAsync(runId, 3);
        await gate.Started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        return (runId, scheduler, worker, gate);
    }

    /// <summary>Runs until the test opens it.</summary>
    private sealed class Gate : ITaskExecutor
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Open() => _open.TrySetResult();

        public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            await _open.Task.WaitAsync(cancellationToken);
            return null;
        }
    }

    private async Task WaitForReportsAsync(RunId runId, int count)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a hang guard, not a timing
        while ((await _cluster.Store.TryReports.ListAsync([runId], 100, default)).Count < count)
        {
            await Task.Delay(10, bound.Token);
        }
    }

    /// <summary>Outputs {"n": 1 + the sum of its upstream tasks' n}.</summary>
    private sealed class Counter : ITaskExecutor
    {
        public Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            var n = 1 + context.Task.DependsOn.Sum(u => context.Outputs[u].GetProperty("n").GetInt32());
            return Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(new { n }));
        }
    }
}
