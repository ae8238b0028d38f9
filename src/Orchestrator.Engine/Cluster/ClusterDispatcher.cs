using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Model;
using Orchestrator.Engine.Dispatch;
using Orchestrator.Storage;

namespace Orchestrator.Engine.Cluster;

/// <summary>A scheduler's dispatcher. <see cref="Enqueue"/> only buffers (it runs inside the run's commit path); a
/// background flusher then, per queue that got work, (1) sends one NOTIFY on the queue's channel — the workers of
/// that queue claim the queued tries straight from the store (<see cref="QueuedTryClaimer"/>) — and (2) enqueues ONE
/// Hangfire job carrying the whole batch (<see cref="ClusterBatchJob"/>), the durable fallback, retried while the
/// database is unreachable. A batch whose enqueue fails is kept and tried again; a scheduler that dies before a flush
/// loses nothing either: the tries are queued in the store, where workers' polls claim them, and the run's next
/// driver dispatches every queued try again when it resumes the run.</summary>
public sealed class ClusterDispatcher : ITaskDispatcher, IAsyncDisposable
{
    private static readonly TimeSpan PauseAfterFailure = TimeSpan.FromSeconds(1);

    /// <summary>The most tries one Hangfire job carries.</summary>
    internal const int MaxTriesPerJob = 500;

    private readonly Func<string, DispatchedTry[], CancellationToken, Task> _enqueueBatch;
    private readonly IStoreSignals _signals;
    private readonly Polly.ResiliencePipeline _retry;
    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _work = new(0);
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private Dictionary<string, List<DispatchedTry>> _pending = new(StringComparer.Ordinal);
    private bool _signalled;

    public ClusterDispatcher(JobStorage storage, IStoreSignals signals, Polly.ResiliencePipeline retry, ClusterOptions options, TimeProvider time, ILogger logger)
        : this(EnqueueWith(new BackgroundJobClient(storage)), signals, retry, options, time, logger)
    {
    }

    /// <summary>With the Hangfire enqueue replaced (tests: one that fails for a while).</summary>
    internal ClusterDispatcher(
        Func<string, DispatchedTry[], CancellationToken, Task> enqueueBatch, IStoreSignals signals, Polly.ResiliencePipeline retry, ClusterOptions options,
        TimeProvider time, ILogger logger)
    {
        _enqueueBatch = enqueueBatch;
        _signals = signals;
        _retry = retry;
        _options = options;
        _time = time;
        _logger = logger;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Dispatches waiting for the flusher (for tests and the stop log).</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Values.Sum(p => p.Count);
            }
        }
    }

    public void Enqueue(RunId runId, TaskId taskId, int tryNumber, string queue)
    {
        lock (_gate)
        {
            if (!_pending.TryGetValue(queue, out var batch))
            {
                _pending[queue] = batch = [];
            }

            batch.Add(new DispatchedTry { RunId = runId.Value, TaskId = taskId.Value, TryNumber = tryNumber });
            if (_signalled)
            {
                return;
            }

            _signalled = true;
        }

        _work.Release();
    }

    /// <summary>Hands everything buffered to the workers now: a NOTIFY and one Hangfire job per queue. A batch whose
    /// Hangfire enqueue fails (past the retries) is kept for the next flush and the error rethrown.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            Dictionary<string, List<DispatchedTry>> taken;
            lock (_gate)
            {
                (taken, _pending) = (_pending, new Dictionary<string, List<DispatchedTry>>(StringComparer.Ordinal));
                _signalled = false;
            }

            foreach (var queue in taken.Keys)
            {
                try
                {
                    await _signals.NotifyAsync(QueueChannels.Of(queue), cancellationToken); // the workers claim now
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    _logger.LogDebug("Could not signal queue {Queue} ({Error}); the workers' poll and the Hangfire job find its tries", queue, exception.Message);
                }
            }

            foreach (var (queue, batch) in taken)
            {
                try
                {
                    // A job's arguments are one JSON text: a start plan of thousands of tries goes in several jobs.
                    while (batch.Count > 0)
                    {
                        var part = batch.Take(MaxTriesPerJob).ToArray();
                        await _retry.ExecuteAsync(async token => await _enqueueBatch(queue, part, token), cancellationToken);
                        batch.RemoveRange(0, part.Length);
                    }
                }
                catch
                {
                    Restore(taken);
                    throw;
                }
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    private void Restore(Dictionary<string, List<DispatchedTry>> unsent)
    {
        lock (_gate)
        {
            foreach (var (queue, batch) in unsent.Where(u => u.Value.Count > 0))
            {
                if (_pending.TryGetValue(queue, out var newer))
                {
                    batch.AddRange(newer); // oldest first
                }

                _pending[queue] = batch;
            }
        }
    }

    private async Task LoopAsync()
    {
        try
        {
            while (true)
            {
                await _work.WaitAsync(_stop.Token);
                try
                {
                    await FlushAsync(_stop.Token);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    _logger.LogError("Handing {Count} dispatched tries to Hangfire failed ({Error}); they stay queued in the store and are tried again",
                        Pending, exception.Message);
                    await Task.Delay(PauseAfterFailure, _time, _stop.Token);
                    lock (_gate)
                    {
                        _signalled = true;
                    }

                    _work.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping: DisposeAsync flushes what is left
        }
    }

    /// <summary>Flushes what is buffered (for up to <see cref="ClusterOptions.DispatchFlushOnStop"/>) and stops.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        using var bounded = new CancellationTokenSource(_options.DispatchFlushOnStop, _time);
        try
        {
            await FlushAsync(bounded.Token);
        }
        catch (Exception exception)
        {
            _logger.LogWarning("Stopping with {Count} dispatched tries not handed to Hangfire ({Error}): they are queued in the store, where the workers' poll claims them",
                Pending, exception.Message);
        }

        _stop.Dispose();
    }

    private static Func<string, DispatchedTry[], CancellationToken, Task> EnqueueWith(BackgroundJobClient client) => (queue, tries, _) =>
    {
        var job = new Job(typeof(ClusterBatchJob), ClusterBatchJob.RunMethod, queue, tries, CancellationToken.None);
        client.Create(job, new EnqueuedState(queue));
        return Task.CompletedTask;
    };
}
