using Orchestrator.Core.Model;
using Orchestrator.Execution.Logs;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Workers;

/// <summary>When a running try's log lines are written to the store: every <see cref="LiveLogOptions.FlushInterval"/>
/// or every <see cref="LiveLogOptions.MaxBatchLines"/> lines, whichever comes first, and once more when the try ends
/// (before its end is recorded), so <c>tasks logs</c> shows a running try's lines and a try lost in a crash keeps
/// those already written.
/// <para>Writes go through <c>enqueueWrite</c>, the task instance's ordered chain of store writes, so a try's lines
/// follow its start and precede its end. Memory: lines wait here only until the next write; if the store is slower
/// than the task they accumulate rather than block the task or be dropped. That is bounded without a limit of its
/// own: <see cref="TryLog"/> passes on at most <see cref="Core.Authoring.LogLimits.MaxTryLogBytes"/> of text per try.</para></summary>
internal sealed class LiveLogWriter(ITaskLogStore logs, RunId runId, TimeProvider time, Action<Func<Task>> enqueueWrite, LiveLogOptions? options = null)
{
    private readonly LiveLogOptions _options = options ?? LiveLogOptions.Default;
    private readonly Lock _lock = new();
    private List<StoredLogLine> _pending = [];
    private TaskId _task;
    private int _tryNumber;
    private ITimer? _timer;
    private bool _flushQueued;

    public void OnLine(TaskId task, int tryNumber, TaskLogLine line)
    {
        lock (_lock)
        {
            // The runner finishes a try (OnTryFinished empties the buffer) before the next one logs, so the buffer
            // holds one try's lines.
            (_task, _tryNumber) = (task, tryNumber);
            _pending.Add(new StoredLogLine(line.At, line.Level, line.Message));
            if (_pending.Count >= _options.MaxBatchLines)
            {
                QueueFlush();
            }
            else if (!_flushQueued && _timer is null)
            {
                _timer = time.CreateTimer(_ => OnTimer(), null, _options.FlushInterval, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Queues the write of the try's remaining lines: the caller then queues the record of its end.</summary>
    public void OnTryFinished()
    {
        Batch? last;
        lock (_lock)
        {
            StopTimer();
            last = Take();
        }

        if (last is { } batch)
        {
            enqueueWrite(() => AppendAsync(batch));
        }
    }

    private void OnTimer()
    {
        lock (_lock)
        {
            StopTimer();
            if (_pending.Count > 0)
            {
                QueueFlush();
            }
        }
    }

    // Under the lock. One flush waits in the chain at a time; it takes what has accumulated when its turn comes.
    private void QueueFlush()
    {
        StopTimer();
        if (_flushQueued)
        {
            return;
        }

        _flushQueued = true;
        enqueueWrite(async () =>
        {
            Batch? batch;
            lock (_lock)
            {
                _flushQueued = false;
                batch = Take();
            }

            if (batch is { } lines)
            {
                await AppendAsync(lines);
            }
        });
    }

    private Batch? Take()
    {
        if (_pending.Count == 0)
        {
            return null;
        }

        var batch = new Batch(_task, _tryNumber, _pending);
        _pending = [];
        return batch;
    }

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private Task AppendAsync(Batch batch) => logs.AppendAsync(runId, batch.Task, batch.TryNumber, batch.Lines, default);

    private readonly record struct Batch(TaskId Task, int TryNumber, List<StoredLogLine> Lines);
}

/// <summary>How often a running try's lines are written to the store.</summary>
internal sealed record LiveLogOptions
{
    public static LiveLogOptions Default { get; } = new();

    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    public int MaxBatchLines { get; init; } = 500;
}
