using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Runs;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Engine.Telemetry;

/// <summary>The engine's instruments (System.Diagnostics.Metrics, meter <see cref="MeterName"/>): tries finished by
/// outcome, try duration (exported as orchestrator_engine_task_try_duration and so on), scheduling delay, queue depth, runs started and finished. The engine calls the internal
/// hooks on its own paths; any exporter (Prometheus at /metrics, OpenTelemetry) listens to the meter.</summary>
public sealed class EngineMetrics : IDisposable
{
    public const string MeterName = "Orchestrator.Engine";

    /// <summary>Histogram buckets in seconds for tasks that take from a second to hours.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 86_400];

    /// <summary>Histogram buckets in seconds for the wait between ready and started (usually well under a second).</summary>
    public static readonly IReadOnlyList<double> DelayBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3_600];

    private readonly Meter _meter;
    private readonly Counter<long> _triesFinished;
    private readonly Histogram<double> _tryDuration;
    private readonly Histogram<double> _schedulingDelay;
    private readonly Counter<long> _runsStarted;
    private readonly Counter<long> _runsFinished;

    // Dispatched task instances not yet taken by a worker, with the time each became ready: the queue depth is
    // its size, and the scheduling delay is measured when a worker takes one.
    private readonly ConcurrentDictionary<(RunId, TaskId), DateTimeOffset> _waiting = new();

    /// <param name="meterFactory">The host's meter factory (its meters are per host, which keeps two hosts in one
    /// process apart); null makes a meter of its own.</param>
    public EngineMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _triesFinished = _meter.CreateCounter<long>("task.tries.finished", "{try}",
            "Task tries finished, by outcome (success, failed, timed_out, skipped, interrupted).");
        _tryDuration = _meter.CreateHistogram("task.try.duration", "s",
            "How long each task try ran, by outcome.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _schedulingDelay = _meter.CreateHistogram("task.scheduling.delay", "s",
            "From a task instance becoming ready (scheduled) to its try starting on a worker.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DelayBuckets });
        _meter.CreateObservableGauge("task.queue.depth", () => _waiting.Count, "{task}",
            "Task instances dispatched to the workers and not started yet.");
        _runsStarted = _meter.CreateCounter<long>("runs.started", "{run}", "DAG runs started (queued to running).");
        _runsFinished = _meter.CreateCounter<long>("runs.finished", "{run}", "DAG runs finished, by final state.");
    }

    /// <summary>The meter the instruments belong to (exporters filter on it).</summary>
    public Meter Meter => _meter;

    /// <summary>A task instance handed to the dispatcher; <paramref name="readyAt"/> is when the engine decided it.</summary>
    internal void Dispatched(RunId runId, TaskId taskId, DateTimeOffset readyAt) => _waiting[(runId, taskId)] = readyAt;

    /// <summary>A worker took the task instance off the queue (whether or not it then runs it). Returns when it was
    /// ready, for <see cref="TryStarting"/>.</summary>
    internal DateTimeOffset? LeftQueue(RunId runId, TaskId taskId) =>
        _waiting.TryRemove((runId, taskId), out var readyAt) ? readyAt : null;

    internal void TryStarting(DateTimeOffset? readyAt, DateTimeOffset now)
    {
        if (readyAt is { } ready)
        {
            _schedulingDelay.Record(Math.Max(0, (now - ready).TotalSeconds));
        }
    }

    internal void TryFinished(TryRecord attempt)
    {
        // Named as the store records it: a cancelled try is one the engine interrupted.
        var outcome = new KeyValuePair<string, object?>("outcome",
            attempt.Outcome == TryOutcome.Cancelled ? RunCoordinator.InterruptedOutcome : attempt.Outcome.ToName());
        _triesFinished.Add(1, outcome);
        _tryDuration.Record(Math.Max(0, attempt.Duration.TotalSeconds), outcome);
    }

    internal void RunStarted() => _runsStarted.Add(1);

    internal void RunFinished(DagRunState state) => _runsFinished.Add(1, new KeyValuePair<string, object?>("state", state.ToName()));

    public void Dispose() => _meter.Dispose();
}
