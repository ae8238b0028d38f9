using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Cluster;
using Orchestrator.Execution.TaskTypes;
using Polly;
using Polly.Retry;

namespace Orchestrator.Engine.Tests.Cluster;

/// <summary>The distributed fast path with schedulers and workers in one process on one store: workers claim queued
/// tries of their queues from the store within their slots; a Hangfire batch job claims only what is still queued;
/// a try delivered by both paths runs once; and a dispatch survives the flusher failing.</summary>
public sealed class FastPathTests : IAsyncLifetime
{
    private ClusterFixture _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task TheFastClaim_TakesOnlyItsQueues_NeverMoreThanItsSlots_AndLooksAgainWhenATryEnds()
    {
        var probe = new SlotProbe();
        _cluster.Registry.Register("test.probe", probe);
        var dag = new DagBuilder("wide");
        foreach (var i in Enumerable.Range(0, 5))
        {
            dag.Task($"d{i}", "test.probe");
        }

        dag.Task("train", "test.probe").Queue("training");
        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        using var worker = _cluster.NewWorker("w1", concurrency: 2);
        await using var claimer = new QueuedTryClaimer(_cluster.Store, worker, ["default"], _cluster.Options, _cluster.Time, NullLogger.Instance);
        var runId = await _cluster.TriggerAsync(scheduler, loaded);

        claimer.Start();
        await claimer.WakeAsync();
        await probe.WaitForRunningAsync(2);
        var tasks = await _cluster.TasksAsync(runId);
        Assert.Equal(2, tasks.Values.Count(t => t.State == TaskInstanceState.Running));
        await claimer.WakeAsync(); // no free slot: nothing more is claimed
        Assert.Equal(2, (await _cluster.TasksAsync(runId)).Values.Count(t => t.State == TaskInstanceState.Running));

        probe.Open(); // each try that ends frees its slot, and the worker claims the next at once
        await probe.WaitUntilAsync(p => p.Started == 5);
        await worker.StopAsync(TimeSpan.FromMinutes(1)); // lets the last tries report
        Assert.Equal(5, probe.Started);
        Assert.Equal(2, probe.MaxAtOnce);
        tasks = await _cluster.TasksAsync(runId);
        Assert.Equal(TaskInstanceState.Queued, tasks["train"].State); // not this worker's queue
        Assert.All(tasks.Values.Where(t => t.TaskId.Value != "train"), t => Assert.Equal(TaskInstanceState.Running, t.State)); // reported, not yet recorded
        Assert.Equal(5, (await _cluster.Store.TryReports.ListAsync(null, 100, default)).Count);
    }

    [Fact]
    public async Task ABatchJob_SkipsTriesTheFastPathClaimed_AndRunsTheRest()
    {
        var probe = new SlotProbe(); // held until the fast worker stops claiming: a freed slot would claim again
        _cluster.Registry.Register("test.probe", probe);
        var dag = new DagBuilder("three");
        foreach (var id in new[] { "a", "b", "c" })
        {
            dag.Task(id, "test.probe");
        }

        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        using var fast = _cluster.NewWorker("fast", concurrency: 1);
        using var fallback = _cluster.NewWorker("fallback", concurrency: 2);
        await using var claimer = new QueuedTryClaimer(_cluster.Store, fast, ["default"], _cluster.Options, _cluster.Time, NullLogger.Instance);
        var runId = await _cluster.TriggerAsync(scheduler, loaded);
        var batch = new[] { _cluster.NextDispatched(), _cluster.NextDispatched(), _cluster.NextDispatched() };

        await claimer.WakeAsync(); // one slot: the oldest queued try
        fast.BeginStop();
        probe.Open();
        await fast.StopAsync(TimeSpan.FromMinutes(1));
        await fallback.ClaimAndStartAsync([.. batch], default);
        await fallback.StopAsync(TimeSpan.FromMinutes(1));
        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();

        Assert.Equal(DagRunState.Success, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
        Assert.Equal(3, probe.Started); // "a" ran once, on the fast path
        var tries = await _cluster.Store.TaskInstances.ListTriesAsync(runId, null, default);
        Assert.Equal(3, tries.Count);
        Assert.All(tries, t => Assert.Equal((1, "success"), (t.TryNumber, t.Outcome)));
        Assert.Equal(["fallback", "fallback", "fast"], tries.Select(t => t.WorkerId!).Order());
    }

    [Fact]
    public async Task ATryDeliveredByBothPaths_ToSeveralWorkers_RunsOnce()
    {
        var probe = new SlotProbe();
        probe.Open();
        _cluster.Registry.Register("test.probe", probe);
        var dag = new DagBuilder("both");
        foreach (var i in Enumerable.Range(0, 12))
        {
            dag.Task($"t{i:00}", "test.probe");
        }

        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        var runId = await _cluster.TriggerAsync(scheduler, loaded);
        var dispatched = Enumerable.Range(0, 12).Select(_ => _cluster.NextDispatched()).ToList();
        var workers = Enumerable.Range(0, 3).Select(i => _cluster.NewWorker($"w{i}", concurrency: 3)).ToList();
        var claimers = workers.Select(w => new QueuedTryClaimer(_cluster.Store, w, ["default"], _cluster.Options, _cluster.Time, NullLogger.Instance)).ToList();

        // Every worker gets every try twice over: its fast claim, and a Hangfire batch job naming all of them.
        await Task.WhenAll(workers.SelectMany((w, i) => new[]
        {
            Task.Run(() => w.ClaimAndStartAsync([.. dispatched], default)),
            Task.Run(claimers[i].WakeAsync),
            Task.Run(() => w.ClaimAndStartAsync([.. dispatched.AsEnumerable().Reverse()], default)),
        }));
        foreach (var worker in workers)
        {
            await worker.StopAsync(TimeSpan.FromMinutes(1));
        }

        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();

        Assert.Equal(12, probe.Started);
        var tries = await _cluster.Store.TaskInstances.ListTriesAsync(runId, null, default);
        Assert.Equal(12, tries.Count);
        Assert.Equal(12, tries.Select(t => t.TaskId).Distinct().Count());
        Assert.Equal(DagRunState.Success, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
        foreach (var (claimer, worker) in claimers.Zip(workers))
        {
            await claimer.DisposeAsync();
            worker.Dispose();
        }
    }

    [Fact]
    public async Task ADispatch_SurvivesTheFlusherFailingForAWhile_AndIsHandedOverOnceInOrder()
    {
        var failing = true;
        var jobs = new List<(string Queue, string[] Tries)>();
        using var signalled = new SemaphoreSlim(0);
        using var subscription = _cluster.Store.Signals.Subscribe(QueueChannels.Of("training"), () => signalled.Release());
        var retryOnce = new ResiliencePipelineBuilder { TimeProvider = _cluster.Time }
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 1, Delay = TimeSpan.Zero, ShouldHandle = new PredicateBuilder().Handle<InvalidOperationException>() })
            .Build();
        var dispatcher = new ClusterDispatcher((queue, tries, _) =>
        {
            lock (jobs)
            {
                if (failing)
                {
                    throw new InvalidOperationException("the database is restarting");
                }

                jobs.Add((queue, [.. tries.Select(t => $"{t.RunId}/{t.TaskId}/{t.TryNumber}")]));
            }

            return Task.CompletedTask;
        }, (tries, _) => Task.FromResult(tries), _cluster.Store.Signals, retryOnce, new ClusterOptions { HangfireFallbackAfter = TimeSpan.Zero }, _cluster.Time, NullLogger.Instance);

        dispatcher.Enqueue(new RunId("r1"), new TaskId("a"), 1, "default");
        dispatcher.Enqueue(new RunId("r1"), new TaskId("t"), 1, "training");
        for (var i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => dispatcher.FlushAsync(default));
        }

        dispatcher.Enqueue(new RunId("r1"), new TaskId("b"), 2, "default"); // while it fails
        failing = false;
        await dispatcher.FlushAsync(default);

        Assert.Equal(0, dispatcher.Pending);
        Assert.Equal([("default", "r1/a/1,r1/b/2"), ("training", "r1/t/1")], jobs.Select(j => (j.Queue, string.Join(',', j.Tries))).Order());
        await dispatcher.DisposeAsync();
        Assert.Single(jobs, j => j.Queue == "default"); // nothing sent twice, even by the flush on stop
        Assert.True(await signalled.WaitAsync(TimeSpan.FromSeconds(30))); // each flush tells the queue's workers to look
    }

    [Fact]
    public async Task Hangfire_GetsOnlyTheTriesStillQueued_OnceTheirQueueStopsMoving()
    {
        var probe = new SlotProbe();
        probe.Open();
        _cluster.Registry.Register("test.probe", probe);
        var dag = new DagBuilder("late");
        foreach (var id in new[] { "a", "b", "c" })
        {
            dag.Task(id, "test.probe");
        }

        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        var runId = await _cluster.TriggerAsync(scheduler, loaded);
        var jobs = new List<string>();
        var options = new ClusterOptions { HangfireFallbackAfter = TimeSpan.FromSeconds(1) };
        var dispatcher = new ClusterDispatcher((queue, tries, _) =>
        {
            lock (jobs)
            {
                jobs.AddRange(tries.Select(t => $"{queue}:{t.TaskId}/{t.TryNumber}"));
            }

            return Task.CompletedTask;
        }, ClusterDispatcher.StillQueuedIn(_cluster.Store), _cluster.Store.Signals, ResiliencePipeline.Empty, options, _cluster.Time, NullLogger.Instance);
        foreach (var (run, task, tryNumber) in Enumerable.Range(0, 3).Select(_ => _cluster.NextDispatched()))
        {
            dispatcher.Enqueue(run, task, tryNumber, "default");
        }

        await dispatcher.FlushAsync(default); // signalled; not due for Hangfire yet
        Assert.Empty(jobs);
        using var worker = _cluster.NewWorker("w1", concurrency: 1);
        await using (var claimer = new QueuedTryClaimer(_cluster.Store, worker, ["default"], _cluster.Options, _cluster.Time, NullLogger.Instance))
        {
            await claimer.WakeAsync(); // the fast path takes the oldest
        }

        await worker.StopAsync(TimeSpan.FromMinutes(1));
        _cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await dispatcher.FlushAsync(default);
        Assert.Empty(jobs); // a worker took one meanwhile: a backlog being worked through, not a lost signal
        Assert.Equal(2, dispatcher.Pending);

        _cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await dispatcher.FlushAsync(default); // nothing claimed for a second: the rest goes to Hangfire

        Assert.Equal(["default:b/1", "default:c/1"], jobs.Order());
        Assert.Equal(0, dispatcher.Pending);
        await dispatcher.DisposeAsync();
        Assert.Equal(2, jobs.Count); // the stop hands over nothing twice
        Assert.Equal(TaskInstanceState.Running, (await _cluster.TasksAsync(runId))["a"].State);
    }

    [Fact]
    public async Task ATryDispatchedTwice_WhileWatched_IsLookedAtOnce_AndHandedOverOnce()
    {
        var dag = new DagBuilder("twice");
        dag.Task("a", "empty");
        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        await _cluster.TriggerAsync(scheduler, loaded);
        var jobs = new List<string>();
        var dispatcher = new ClusterDispatcher((queue, tries, _) =>
        {
            jobs.AddRange(tries.Select(t => $"{t.TaskId}/{t.TryNumber}"));
            return Task.CompletedTask;
        }, ClusterDispatcher.StillQueuedIn(_cluster.Store), _cluster.Store.Signals, ResiliencePipeline.Empty,
            new ClusterOptions { HangfireFallbackAfter = TimeSpan.FromSeconds(1) }, _cluster.Time, NullLogger.Instance);
        var (run, task, tryNumber) = _cluster.NextDispatched();

        // The run resumed in this process: its queued try is dispatched again while the first dispatch is watched.
        dispatcher.Enqueue(run, task, tryNumber, "default");
        await dispatcher.FlushAsync(default);
        _cluster.Time.Advance(TimeSpan.FromMilliseconds(500));
        dispatcher.Enqueue(run, task, tryNumber, "default");
        await dispatcher.FlushAsync(default);
        _cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await dispatcher.FlushAsync(default);

        Assert.Equal(["a/1"], jobs);
        await dispatcher.DisposeAsync();
        Assert.Equal(["a/1"], jobs);
    }

    [Fact]
    public async Task ABacklogBeingWorkedThrough_IsJudgedOnItsOldestPart_AndAStalledOneIsReadWhole()
    {
        var (dispatcher, reads, jobs) = await BacklogOf1200WithTheOldestClaimedAsync();
        _cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await dispatcher.FlushAsync(default);
        Assert.Equal([500], reads); // progress in the first part: the other 700 are not read now
        Assert.Empty(jobs);
        Assert.Equal(1_199, dispatcher.Pending); // still watched, the claimed one dropped

        reads.Clear();
        _cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await dispatcher.FlushAsync(default); // nothing claimed since: every part is read, and the rest goes to Hangfire
        Assert.Equal([500, 500, 199], reads);
        Assert.Equal(1_199, jobs.Count);
        Assert.DoesNotContain("t0000", jobs);
        Assert.Equal(0, dispatcher.Pending);
        await dispatcher.DisposeAsync();
    }

    [Fact]
    public async Task AQueueSeenMoving_IsNotReadAgain_ForEachDispatchThatFallsDue_WithinAFallbackPeriod()
    {
        var (dispatcher, reads, jobs) = await BacklogOf1200WithTheOldestClaimedAsync();
        for (var step = 1; step <= 9; step++) // the scheduler keeps dispatching, a try every 100 ms
        {
            _cluster.Time.Advance(TimeSpan.FromMilliseconds(100));
            dispatcher.Enqueue(new RunId("backlog"), new TaskId($"late{step}"), 1, "default");
            await dispatcher.FlushAsync(default);
        }

        _cluster.Time.Advance(TimeSpan.FromMilliseconds(100));
        await dispatcher.FlushAsync(default);
        Assert.Equal([500], reads); // the first due ones: the queue moves

        for (var step = 1; step <= 9; step++) // each later dispatch falls due in turn, within a second of that read
        {
            _cluster.Time.Advance(TimeSpan.FromMilliseconds(100));
            await dispatcher.FlushAsync(default);
        }

        Assert.Equal([500], reads);
        Assert.Empty(jobs);
        Assert.Equal(1_208, dispatcher.Pending);

        reads.Clear();
        _cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await dispatcher.FlushAsync(default); // nothing claimed since: read, and handed over
        Assert.Equal(1_208, jobs.Count);
        Assert.Equal(0, dispatcher.Pending);
        await dispatcher.DisposeAsync();
    }

    /// <summary>A dispatcher watching 1,200 tries signalled now, of which a worker claimed the oldest; with the store
    /// reads it makes (how many tries each) and the tries it hands to Hangfire.</summary>
    private async Task<(ClusterDispatcher Dispatcher, List<int> Reads, List<string> Jobs)> BacklogOf1200WithTheOldestClaimedAsync()
    {
        var reads = new List<int>();
        var jobs = new List<string>();
        var options = new ClusterOptions { HangfireFallbackAfter = TimeSpan.FromSeconds(1) };
        var dispatcher = new ClusterDispatcher((queue, tries, _) =>
        {
            jobs.AddRange(tries.Select(t => t.TaskId));
            return Task.CompletedTask;
        }, (tries, _) =>
        {
            reads.Add(tries.Count);
            return Task.FromResult<IReadOnlyList<DispatchedTry>>([.. tries.Where(t => t.TaskId != "t0000")]);
        }, _cluster.Store.Signals, ResiliencePipeline.Empty, options, _cluster.Time, NullLogger.Instance);
        for (var i = 0; i < 1_200; i++)
        {
            dispatcher.Enqueue(new RunId("backlog"), new TaskId($"t{i:D4}"), 1, "default");
        }

        await dispatcher.FlushAsync(default);
        return (dispatcher, reads, jobs);
    }

    /// <summary>A task that counts how many run at once, held until the test opens it.</summary>
    private sealed class SlotProbe : ITaskExecutor
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly Lock _gate = new();
        private int _running;
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Started { get; private set; }

        public int MaxAtOnce { get; private set; }

        public void Open() => _open.TrySetResult();

        public Task WaitForRunningAsync(int count) => WaitUntilAsync(p => p._running >= count);

        public async Task WaitUntilAsync(Func<SlotProbe, bool> condition)
        {
            while (true)
            {
                Task changed;
                lock (_gate)
                {
                    if (condition(this))
                    {
                        return;
                    }

                    changed = _changed.Task;
                }

                await changed.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }

        public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            Enter(+1);
            try
            {
                await _open.Task.WaitAsync(cancellationToken);
                return null;
            }
            finally
            {
                Enter(-1);
            }
        }

        private void Enter(int delta)
        {
            TaskCompletionSource changed;
            lock (_gate)
            {
                _running += delta;
                if (delta > 0)
                {
                    Started++;
                }

                MaxAtOnce = Math.Max(MaxAtOnce, _running);
                (changed, _changed) = (_changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            }

            changed.TrySetResult();
        }
    }
}
