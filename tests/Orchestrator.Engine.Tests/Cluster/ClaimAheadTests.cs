using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Cluster;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Tests.Cluster;

/// <summary>A worker claiming tries ahead of its free slots: while its tries are short, one claim takes several and
/// each starts as a slot frees, with no claim of its own; a try that waits too long for a slot, or that a stopping
/// worker holds, goes back to the queue for any worker; a worker whose tries are long claims only what it can start.</summary>
public sealed class ClaimAheadTests : IAsyncLifetime
{
    private ClusterFixture _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private ClusterOptions Ahead(int count) => new() { LeaseTimeout = _cluster.Options.LeaseTimeout, ClaimAhead = count, ClaimAheadHold = TimeSpan.FromMilliseconds(500) };

    [Fact]
    public async Task ShortTries_AreClaimedSeveralAtOnce_AndStartAsSlotsFree_EachRunOnce()
    {
        var (runId, scheduler) = await TriggerIndependentAsync("short", 12);
        var claims = new CountingClaims(_cluster.Store.TaskInstances);
        using var worker = _cluster.NewWorker("w1", concurrency: 1, store: new Pools.HookedStore(_cluster.Store) { TaskInstancesOverride = claims });
        await using (var claimer = new QueuedTryClaimer(new Pools.HookedStore(_cluster.Store) { TaskInstancesOverride = claims }, worker, ["default"], Ahead(4), _cluster.Time, NullLogger.Instance))
        {
            await WaitForReportsAsync(runId, 12, claimer);
        }

        // The first claim takes one (no try has run here yet); then one takes the free slot and 4 ahead, and the held
        // ones are topped up each time half are gone, never beyond 4 held.
        Assert.Equal(1, claims.Limits[0]);
        Assert.Equal(5, claims.Limits[1]);
        Assert.All(claims.Limits.Skip(1), limit => Assert.InRange(limit, 1, 5));
        Assert.Equal(12, claims.Claimed.Sum());
        Assert.InRange(claims.Claimed.Count(n => n > 0), 2, 8); // one claim per try would be 12
        await worker.StopAsync(TimeSpan.FromMinutes(1));
        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();
        Assert.Equal(DagRunState.Success, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
        Assert.All(await _cluster.Store.TaskInstances.ListTriesAsync(runId, null, default), t => Assert.Equal((1, "w1", "success"), (t.TryNumber, t.WorkerId!, t.Outcome!)));
    }

    [Fact]
    public async Task ATryHeldPastTheHold_GoesBackToTheQueue_WithNoTryUsedUp_AndIsNotTakenBackWhileTheSlotsStayBusy()
    {
        var (claimer, worker, gate, moreRun) = await FourHeldBehindABusySlotAsync();

        _cluster.Time.Advance(TimeSpan.FromMilliseconds(600)); // past the hold: the timer gives them back
        await WaitUntilAsync(async () => (await _cluster.TasksAsync(moreRun)).Values.All(t => t.State == TaskInstanceState.Queued));
        Assert.Equal(0, claimer.Held);
        Assert.Empty(await _cluster.Store.TaskInstances.ListTriesAsync(moreRun, null, default));
        Assert.All((await _cluster.TasksAsync(moreRun)).Values, t => Assert.Equal((0, "given back by w1 before it started"), (t.TryNumber, t.StateReason!)));

        await claimer.WakeAsync(); // its NOTIFY woke this worker too: it must not take back what it just gave away
        Assert.Equal(0, claimer.Held);
        Assert.All((await _cluster.TasksAsync(moreRun)).Values, t => Assert.Equal(TaskInstanceState.Queued, t.State));

        gate.Open(); // the slot frees: the 4 are claimed again, run, and each has one try
        await WaitForReportsAsync(moreRun, 4, claimer);
        Assert.All(await _cluster.Store.TaskInstances.ListTriesAsync(moreRun, null, default), t => Assert.Equal(1, t.TryNumber));
        worker.BeginStop();
        await claimer.DisposeAsync();
        await worker.StopAsync(TimeSpan.FromMinutes(1));
        worker.Dispose();
    }

    [Fact]
    public async Task ATryHeldPastTheHold_ThatCouldNotBeGivenBack_IsNeverStarted_AndGoesBackOnceItCan()
    {
        var claims = new CountingClaims(_cluster.Store.TaskInstances) { GiveBackFails = true }; // the database away
        var (claimer, worker, gate, moreRun) = await FourHeldBehindABusySlotAsync(new Pools.HookedStore(_cluster.Store) { TaskInstancesOverride = claims });

        _cluster.Time.Advance(TimeSpan.FromMilliseconds(600)); // past the hold; giving back fails
        await WaitUntilAsync(() => Task.FromResult(claims.GiveBackAttempts > 0));
        gate.Open(); // a slot frees: a try held this long could be running elsewhere by now, so it must not start here
        await WaitUntilAsync(() => Task.FromResult(worker.Slots.Free == 1));
        await claimer.WakeAsync();
        Assert.Equal(4, claimer.Held);
        Assert.Empty(await _cluster.Store.TryReports.ListAsync([moreRun], 10, default));

        claims.GiveBackFails = false;
        _cluster.Time.Advance(TimeSpan.FromMilliseconds(300)); // the next look gives them back
        await WaitUntilAsync(() => Task.FromResult(claimer.Held == 0));
        // Queued again, and claimed afresh (this worker's slot is free now): each runs once, as its try 1.
        await WaitForReportsAsync(moreRun, 4, claimer);
        Assert.All(await _cluster.Store.TaskInstances.ListTriesAsync(moreRun, null, default), t => Assert.Equal(1, t.TryNumber));
        Assert.Contains(await _cluster.Store.TaskInstances.HistoryAsync(moreRun, null, default), c => c is { From: TaskInstanceState.Running, To: TaskInstanceState.Queued });
        worker.BeginStop();
        await claimer.DisposeAsync();
        await worker.StopAsync(TimeSpan.FromMinutes(1));
        worker.Dispose();
    }

    [Fact]
    public async Task WhatAStoppingWorkerHolds_GoesBackToTheQueue()
    {
        var (claimer, worker, gate, moreRun) = await FourHeldBehindABusySlotAsync();

        worker.BeginStop();
        await claimer.DisposeAsync();

        Assert.All((await _cluster.TasksAsync(moreRun)).Values, t => Assert.Equal((TaskInstanceState.Queued, 0), (t.State, t.TryNumber)));
        Assert.Empty(await _cluster.Store.TaskInstances.ListTriesAsync(moreRun, null, default));
        gate.Open();
        await worker.StopAsync(TimeSpan.FromMinutes(1));
        worker.Dispose();
    }

    /// <summary>A worker of one slot that has run a short try, whose slot a gated try then holds, and that has claimed
    /// the 4 tries of another run ahead.</summary>
    private async Task<(QueuedTryClaimer Claimer, ClusterTaskWorker Worker, Gate Gate, RunId Held)> FourHeldBehindABusySlotAsync(IMetadataStore? claimerStore = null)
    {
        var gate = new Gate();
        _cluster.Registry.Register("test.gate", gate);
        var warm = _cluster.Register(IndependentDag("warm", 1));
        var blocker = _cluster.Register(IndependentDag("blocker", 1, "test.gate"));
        var more = _cluster.Register(IndependentDag("more", 4));
        var scheduler = _cluster.NewScheduler("s1");
        var worker = _cluster.NewWorker("w1", concurrency: 1);
        var claimer = new QueuedTryClaimer(claimerStore ?? _cluster.Store, worker, ["default"], Ahead(4), _cluster.Time, NullLogger.Instance);
        claimer.Start(); // its timers: the hold's check runs on the fake clock
        var warmRun = await _cluster.TriggerAsync(scheduler, warm);
        await WaitForReportsAsync(warmRun, 1, claimer); // a short try ran here
        await _cluster.TriggerAsync(scheduler, blocker);
        await claimer.WakeAsync();
        await gate.Entered; // the only slot is taken until the test opens the gate

        var moreRun = await _cluster.TriggerAsync(scheduler, more);
        await claimer.WakeAsync();
        Assert.Equal(4, claimer.Held);
        Assert.All((await _cluster.TasksAsync(moreRun)).Values, t => Assert.Equal(TaskInstanceState.Running, t.State));
        return (claimer, worker, gate, moreRun);
    }

    [Fact]
    public async Task AWorkerWhoseTriesAreLong_ClaimsOnlyWhatItCanStart()
    {
        var slow = new Advancing(_cluster.Time, TimeSpan.FromSeconds(10));
        _cluster.Registry.Register("test.slow", slow);
        var loaded = _cluster.Register(IndependentDag("long", 6, "test.slow"));
        var scheduler = _cluster.NewScheduler("s1");
        var runId = await _cluster.TriggerAsync(scheduler, loaded);
        var claims = new CountingClaims(_cluster.Store.TaskInstances);
        using var worker = _cluster.NewWorker("w1", concurrency: 2);
        await using (var claimer = new QueuedTryClaimer(new Pools.HookedStore(_cluster.Store) { TaskInstancesOverride = claims }, worker, ["default"], Ahead(16), _cluster.Time, NullLogger.Instance))
        {
            await WaitForReportsAsync(runId, 6, claimer);
            Assert.Equal(0, claimer.Held);
        }

        Assert.All(claims.Limits, limit => Assert.InRange(limit, 1, 2)); // 10 s tries: none would start within the hold
        await worker.StopAsync(TimeSpan.FromMinutes(1));
    }

    private async Task<(RunId Run, Scheduler Scheduler)> TriggerIndependentAsync(string id, int count)
    {
        var loaded = _cluster.Register(IndependentDag(id, count));
        var scheduler = _cluster.NewScheduler("s1");
        return (await _cluster.TriggerAsync(scheduler, loaded), scheduler);
    }

    private static DagBuilder IndependentDag(string id, int count, string type = "empty")
    {
        var dag = new DagBuilder(id);
        foreach (var i in Enumerable.Range(0, count))
        {
            dag.Task($"t{i:D2}", type);
        }

        return dag;
    }

    private async Task WaitForReportsAsync(RunId runId, int count, QueuedTryClaimer claimer)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a hang guard, not a timing
        while ((await _cluster.Store.TryReports.ListAsync([runId], 1_000, default)).Count < count)
        {
            await claimer.WakeAsync();
            await Task.Delay(5, bound.Token);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a hang guard, not a timing
        while (!await condition())
        {
            await Task.Delay(5, bound.Token);
        }
    }

    /// <summary>A task whose run moves the fake clock on: a long try, as the worker measures it.</summary>
    private sealed class Advancing(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, TimeSpan by) : Execution.TaskTypes.ITaskExecutor
    {
        public Task<System.Text.Json.JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            time.Advance(by);
            return Task.FromResult<System.Text.Json.JsonElement?>(null);
        }
    }

    /// <summary>Counts the batch claims and the limit each asked for.</summary>
    private sealed class CountingClaims(ITaskInstanceStore inner) : ITaskInstanceStore
    {
        private readonly List<int> _limits = [];

        public IReadOnlyList<int> Limits
        {
            get
            {
                lock (_limits)
                {
                    return [.. _limits];
                }
            }
        }

        /// <summary>How many tries each claim got.</summary>
        public IReadOnlyList<int> Claimed
        {
            get
            {
                lock (_limits)
                {
                    return [.. _claimed];
                }
            }
        }

        private readonly List<int> _claimed = [];

        public async Task<IReadOnlyList<ClaimedTry>> ClaimQueuedAsync(QueuedClaim claim, CancellationToken cancellationToken)
        {
            var claimed = await inner.ClaimQueuedAsync(claim, cancellationToken);
            lock (_limits)
            {
                _limits.Add(claim.Limit);
                _claimed.Add(claimed.Count);
            }

            return claimed;
        }

        public Task<IReadOnlyList<TaskInstanceRecord>> ListAsync(RunId runId, CancellationToken cancellationToken) => inner.ListAsync(runId, cancellationToken);

        public Task<TaskInstanceRecord?> GetAsync(RunId runId, TaskId taskId, CancellationToken cancellationToken) => inner.GetAsync(runId, taskId, cancellationToken);

        public Task<bool> TryTransitionAsync(TaskTransition transition, CancellationToken cancellationToken) => inner.TryTransitionAsync(transition, cancellationToken);

        public Task<bool> TryStartTryAsync(TryStart start, CancellationToken cancellationToken) => inner.TryStartTryAsync(start, cancellationToken);

        public bool GiveBackFails { get; set; }

        public int GiveBackAttempts => Volatile.Read(ref _giveBackAttempts);

        private int _giveBackAttempts;

        public Task<IReadOnlyList<ClaimedTry>> GiveBackAsync(string workerId, IReadOnlyCollection<ClaimedTry> tries, DateTimeOffset at, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _giveBackAttempts);
            return GiveBackFails
                ? throw new TimeoutException("the database is away")
                : inner.GiveBackAsync(workerId, tries, at, cancellationToken);
        }

        public Task<IReadOnlyList<ClaimedTry>> StillQueuedAsync(IReadOnlyCollection<(RunId RunId, TaskId TaskId, int TryNumber)> tries, CancellationToken cancellationToken) =>
            inner.StillQueuedAsync(tries, cancellationToken);

        public Task<bool> TryFinishTryAsync(TryFinish finish, CancellationToken cancellationToken) => inner.TryFinishTryAsync(finish, cancellationToken);

        public Task<bool> RecordTryProcessAsync(RunId runId, TaskId taskId, int tryNumber, TaskProcess process, CancellationToken cancellationToken) =>
            inner.RecordTryProcessAsync(runId, taskId, tryNumber, process, cancellationToken);

        public Task<IReadOnlyList<TaskTryRecord>> ListTriesAsync(RunId runId, TaskId? taskId, CancellationToken cancellationToken) => inner.ListTriesAsync(runId, taskId, cancellationToken);

        public Task<IReadOnlyList<TaskStateChange>> HistoryAsync(RunId runId, TaskId? taskId, CancellationToken cancellationToken) => inner.HistoryAsync(runId, taskId, cancellationToken);
    }
}
