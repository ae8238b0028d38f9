using System.Text.Json;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Dispatch;
using Orchestrator.Engine.Runs;
using Orchestrator.Engine.Telemetry;
using Orchestrator.Engine.Workers;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Loading;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Engine.Tests;

/// <summary>The engine's instruments, recorded by the real coordinator and worker on a SQLite store; the queue is
/// held by the test so that the time between dispatch and start is the test's (a fake clock).</summary>
public sealed class EngineMetricsTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-metrics-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly EngineMetrics _metrics = new();
    private readonly HeldQueue _queue = new();
    private SqlMetadataStore _store = null!;

    [Fact]
    public async Task ATwoTaskRun_RecordsStartDelayDurationOutcomesQueueDepthAndItsEnd()
    {
        using var tries = new MetricCollector<long>(_metrics.Meter, "task.tries.finished");
        using var durations = new MetricCollector<double>(_metrics.Meter, "task.try.duration");
        using var delays = new MetricCollector<double>(_metrics.Meter, "task.scheduling.delay");
        using var depth = new MetricCollector<int>(_metrics.Meter, "task.queue.depth");
        using var started = new MetricCollector<long>(_metrics.Meter, "runs.started");
        using var finished = new MetricCollector<long>(_metrics.Meter, "runs.finished");
        var (coordinator, worker, versions) = await BuildAsync();
        var dag = new DagBuilder("metered");
        dag.Task("slow", "test.advance").Then(dag.Task("broken", "test.fail"));
        var runId = await TriggerAsync(coordinator, versions, dag);

        Assert.Equal(1, started.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, QueueDepth(depth));

        _time.Advance(TimeSpan.FromSeconds(5)); // the first task waits 5 s in the queue
        await RunNextAsync(worker, coordinator);
        Assert.Equal(1, QueueDepth(depth)); // the second is queued as the first ends
        _time.Advance(TimeSpan.FromSeconds(2));
        await RunNextAsync(worker, coordinator);

        Assert.Equal(0, QueueDepth(depth));
        Assert.Equal([5.0, 2.0], delays.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal([("success", 90.0), ("failed", 0.0)], durations.GetMeasurementSnapshot().Select(m => ((string)m.Tags["outcome"]!, m.Value)));
        Assert.Equal(["success", "failed"], tries.GetMeasurementSnapshot().Select(m => (string)m.Tags["outcome"]!));
        var end = Assert.Single(finished.GetMeasurementSnapshot());
        Assert.Equal("failed", end.Tags["state"]);
        Assert.Equal(DagRunState.Failed, (await _store.Runs.GetAsync(runId, default))!.State);
    }

    [Fact]
    public async Task ATaskDroppedByAStoppingWorker_LeavesTheQueueWithoutADelay()
    {
        using var delays = new MetricCollector<double>(_metrics.Meter, "task.scheduling.delay");
        using var depth = new MetricCollector<int>(_metrics.Meter, "task.queue.depth");
        var (coordinator, worker, versions) = await BuildAsync();
        var dag = new DagBuilder("dropped");
        dag.Task("slow", "test.advance");
        await TriggerAsync(coordinator, versions, dag);
        Assert.Equal(1, QueueDepth(depth));

        await worker.StopAsync(TimeSpan.Zero);
        await RunNextAsync(worker, coordinator);

        Assert.Equal(0, QueueDepth(depth));
        Assert.Empty(delays.GetMeasurementSnapshot());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xUnit 2 calls only the former, and the temp folder must go.
    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _metrics.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static int QueueDepth(MetricCollector<int> depth)
    {
        depth.RecordObservableInstruments();
        return depth.LastMeasurement!.Value;
    }

    private async Task<(RunCoordinator, TaskWorker, DagVersions)> BuildAsync()
    {
        _store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), TimeProvider.System, default);
        var versions = new DagVersions();
        var coordinator = new RunCoordinator(_store, versions, _time) { Metrics = _metrics };
        var registry = TaskTypeRegistry.CreateDefault()
            .Register("test.advance", new AdvanceClock(_time, TimeSpan.FromSeconds(90)))
            .Register("test.fail", new Fail());
        var worker = new TaskWorker(coordinator, _store, registry, _time, "metrics-worker");
        coordinator.Attach(_queue);
        return (coordinator, worker, versions);
    }

    private async Task<RunId> TriggerAsync(RunCoordinator coordinator, DagVersions versions, DagBuilder builder)
    {
        var result = builder.TryBuild();
        Assert.Empty(result.Errors);
        var dag = new LoadedDag(result.Dag!, result.Graph!, Path.Combine(_folder, $"{result.Dag!.Id}.json"), Guid.NewGuid().ToString("N"));
        versions.Add(dag);
        var now = _time.GetUtcNow();
        var runId = new RunId($"manual__{Guid.NewGuid():N}");
        Assert.True(await _store.Runs.CreateAsync(
            new DagRunRecord(runId, dag.Id, dag.Version, now, RunType.Manual, DagRunState.Queued, "{}", now),
            [.. dag.Definition.Tasks.Select(t => new TaskInstanceRecord(runId, t.Id, TaskInstanceState.None, 0, t.Retry.MaxTries, t.Queue, now))],
            default));
        Assert.True(await coordinator.StartAsync(runId, default));
        return runId;
    }

    private async Task RunNextAsync(TaskWorker worker, RunCoordinator coordinator)
    {
        var (runId, taskId) = _queue.Take();
        await worker.RunAsync(runId, taskId, CancellationToken.None);
        await coordinator.DrainAsync();
    }

    /// <summary>Keeps dispatched tasks until the test hands them to the worker.</summary>
    private sealed class HeldQueue : ITaskDispatcher
    {
        private readonly Queue<(RunId, TaskId)> _items = new();

        public void Enqueue(RunId runId, TaskId taskId, int tryNumber, string queue)
        {
            lock (_items)
            {
                _items.Enqueue((runId, taskId));
            }
        }

        public (RunId, TaskId) Take()
        {
            lock (_items)
            {
                return _items.Dequeue();
            }
        }
    }

    /// <summary>A task that "runs" for a while on the fake clock.</summary>
    private sealed class AdvanceClock(FakeTimeProvider time, TimeSpan by) : ITaskExecutor
    {
        public Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            time.Advance(by);
            return Task.FromResult<JsonElement?>(null);
        }
    }

    private sealed class Fail : ITaskExecutor
    {
        public Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("broken on purpose");
    }
}
