using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Cluster;
using Orchestrator.Storage.Records;
using Polly;

namespace Orchestrator.Engine.Tests.Cluster;

/// <summary>A queue no live worker serves: its unclaimed tries get no Hangfire job (neither from the flush, nor on
/// stop, nor from the scheduler that takes the run over); the operator is warned once per queue until a live worker
/// of it is seen again; and the tries wait in the store, where the first worker of the queue claims them as it starts.</summary>
public sealed class UnservedQueueTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private ClusterFixture _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Theory]
    [InlineData(0, false, true)]
    [InlineData(29_999, false, true)] // the last millisecond of its lease
    [InlineData(30_000, false, false)] // lease run out exactly now
    [InlineData(90_000, false, false)]
    [InlineData(0, true, false)] // stopped cleanly, however recent its heartbeat
    [InlineData(-5_000, false, true)] // its clock a little ahead of ours
    public void AWorkerIsLive_WhileNotStopped_AndItsHeartbeatLeaseHasNotRunOut(int heartbeatAgeMs, bool stopped, bool live)
    {
        var worker = Worker("w", ["default"], Now - TimeSpan.FromMilliseconds(heartbeatAgeMs), stopped ? Now : null);

        Assert.Equal(live, UnservedQueues.IsLive(worker, Now, Lease));
        Assert.Equal(live, UnservedQueues.IsServed("default", [worker], Now, Lease));
    }

    [Fact]
    public void AQueueIsServed_OnlyByALiveWorkerListingItExactly()
    {
        WorkerRecord[] workers =
        [
            Worker("gpu", ["training", "default"], Now),
            Worker("old", ["reports"], Now - Lease),
            Worker("gone", ["etl"], Now, stoppedAt: Now),
        ];

        Assert.True(UnservedQueues.IsServed("training", workers, Now, Lease));
        Assert.True(UnservedQueues.IsServed("default", workers, Now, Lease));
        Assert.False(UnservedQueues.IsServed("reports", workers, Now, Lease)); // its only worker's lease ran out
        Assert.False(UnservedQueues.IsServed("etl", workers, Now, Lease)); // its only worker stopped
        Assert.False(UnservedQueues.IsServed("Training", workers, Now, Lease)); // queue names are exact
        Assert.False(UnservedQueues.IsServed("train", workers, Now, Lease));
        Assert.False(UnservedQueues.IsServed("training", [], Now, Lease));
    }

    [Fact]
    public async Task UnservedTries_GoNotToHangfire_AndTheWarningComesOncePerQueue_UntilAWorkerOfItIsSeen()
    {
        var time = _cluster.Time;
        var workers = new List<WorkerRecord>
        {
            Worker("cpu", ["default"], time.GetUtcNow()),
            Worker("gpu", ["training"], time.GetUtcNow() - Lease - TimeSpan.FromSeconds(1)), // stopped heartbeating
            Worker("spare", ["training", "default"], time.GetUtcNow(), stoppedAt: time.GetUtcNow()),
        };
        var jobs = new List<string>();
        var logger = new FakeLogger();
        var dispatcher = new ClusterDispatcher((queue, tries, _) =>
        {
            lock (jobs)
            {
                jobs.AddRange(tries.Select(t => $"{queue}:{t.TaskId}"));
            }

            return Task.CompletedTask;
        }, (tries, _) => Task.FromResult(tries), _cluster.Store.Signals, ResiliencePipeline.Empty,
            new ClusterOptions { LeaseTimeout = Lease, HangfireFallbackAfter = TimeSpan.FromSeconds(1) }, time, logger,
            _ => Task.FromResult<IReadOnlyList<WorkerRecord>>([.. workers]));
        var n = 0;
        async Task DispatchAsync(string queue, int count)
        {
            for (var i = 0; i < count; i++)
            {
                dispatcher.Enqueue(new RunId("r1"), new TaskId($"t{++n}"), 1, queue);
            }

            await dispatcher.FlushAsync(default);
            time.Advance(TimeSpan.FromSeconds(1)); // nothing claimed meanwhile
            await dispatcher.FlushAsync(default);
        }

        IReadOnlyList<FakeLogRecord> Warnings() => [.. logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning)];

        await DispatchAsync("training", 3);
        dispatcher.Enqueue(new RunId("r1"), new TaskId("d"), 1, "default");
        await DispatchAsync("default", 0);
        Assert.Equal(["default:d"], jobs); // the served queue's stuck try goes to Hangfire as before
        Assert.Equal(0, dispatcher.Pending); // the unserved ones wait in the store, watched no more
        var warning = Assert.Single(Warnings());
        Assert.Equal("No live worker serves queue 'training': 3 tries wait in the store until one starts (orchestrator worker --queues training)", warning.Message);

        await DispatchAsync("training", 2); // still unserved: no job, no second warning
        Assert.Equal(["default:d"], jobs);
        Assert.Single(Warnings());

        workers[1] = workers[1] with { HeartbeatAt = time.GetUtcNow() }; // the gpu worker is back
        await DispatchAsync("training", 1);
        Assert.Equal(["default:d", "training:t6"], jobs); // a live worker that claims nothing: Hangfire as before
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Information && r.Message == "Queue 'training' has a live worker again");

        workers[1] = workers[1] with { StoppedAt = time.GetUtcNow() }; // and gone again: warned again
        await DispatchAsync("training", 4);
        Assert.Equal(2, Warnings().Count);
        Assert.Contains("'training': 4 tries", Warnings()[1].Message, StringComparison.Ordinal);

        dispatcher.Enqueue(new RunId("r1"), new TaskId("late"), 1, "training");
        await dispatcher.DisposeAsync(); // the stop hands over only what a live worker's queue holds
        Assert.Equal(["default:d", "training:t6"], jobs);
    }

    [Fact]
    public async Task AfterATakeover_TheNewSchedulerEnqueuesNoJobForTheSameUnservedTry_AndTheFirstWorkerOfTheQueueClaimsIt()
    {
        var gate = new Gate();
        _cluster.Registry.Register("test.gate", gate);
        var dag = new DagBuilder("unserved");
        dag.Task("train", "test.gate").Queue("training");
        var loaded = _cluster.Register(dag);
        var now = _cluster.Time.GetUtcNow();
        await _cluster.Store.Workers.RegisterAsync(Worker("cpu", ["default"], now), default); // live, but not for "training"
        var jobs = new List<string>();
        var options = new ClusterOptions { LeaseTimeout = _cluster.Options.LeaseTimeout, HangfireFallbackAfter = TimeSpan.FromSeconds(1) };
        ClusterDispatcher DispatcherOf() => new((queue, tries, _) =>
        {
            lock (jobs)
            {
                jobs.AddRange(tries.Select(t => $"{queue}:{t.TaskId}/{t.TryNumber}"));
            }

            return Task.CompletedTask;
        }, ClusterDispatcher.StillQueuedIn(_cluster.Store), _cluster.Store.Signals, ResiliencePipeline.Empty, options, _cluster.Time, NullLogger.Instance,
            _cluster.Store.Workers.ListAsync);

        var first = _cluster.NewScheduler("s1");
        var firstDispatcher = DispatcherOf();
        first.Coordinator.Attach(firstDispatcher);
        var runId = await _cluster.TriggerAsync(first, loaded);
        await firstDispatcher.FlushAsync(default);
        _cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await firstDispatcher.FlushAsync(default);
        await firstDispatcher.DisposeAsync(); // s1 stops (or stalls): nothing handed over on the way out either
        Assert.Empty(jobs);

        // s1's lease runs out and s2 takes the run over: resuming it dispatches the queued try again.
        var second = _cluster.NewScheduler("s2");
        await using var secondDispatcher = DispatcherOf();
        second.Coordinator.Attach(secondDispatcher);
        _cluster.Time.Advance(_cluster.Options.LeaseTimeout + TimeSpan.FromSeconds(1));
        await second.Driving.KeepUpAsync(default);
        Assert.Contains(runId, second.Coordinator.ActiveRuns);
        await secondDispatcher.FlushAsync(default);
        _cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await secondDispatcher.FlushAsync(default);
        Assert.Empty(jobs);
        Assert.Equal(0, secondDispatcher.Pending);
        Assert.Equal(TaskInstanceState.Queued, (await _cluster.TasksAsync(runId))["train"].State); // waiting in the store

        // A worker of the queue starts: its claimer looks at once, without a signal or a job, and takes the try.
        using var worker = _cluster.NewWorker("gpu");
        await using (var claimer = new QueuedTryClaimer(_cluster.Store, worker, ["training"], _cluster.Options, _cluster.Time, NullLogger.Instance))
        {
            claimer.Start();
            await gate.Entered;
        }

        gate.Open();
        await worker.StopAsync(TimeSpan.FromMinutes(1));
        Assert.Equal([("train", 1, "gpu")], (await _cluster.Store.TaskInstances.ListTriesAsync(runId, null, default)).Select(t => (t.TaskId.Value, t.TryNumber, t.WorkerId!)));
        Assert.Empty(jobs);
    }

    private static WorkerRecord Worker(string id, IReadOnlyList<string> queues, DateTimeOffset heartbeatAt, DateTimeOffset? stoppedAt = null) =>
        new(id, "host", 1, queues, 2, heartbeatAt - TimeSpan.FromMinutes(5), heartbeatAt, stoppedAt);
}
