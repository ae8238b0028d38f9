using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Model;
using Orchestrator.Engine.Dispatch;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Cluster;

/// <summary>A scheduler's dispatcher. <see cref="Enqueue"/> only buffers (it runs inside the run's commit path); a
/// background flusher then sends one NOTIFY per queue that got work, and the workers of that queue claim the queued
/// tries straight from the store (<see cref="QueuedTryClaimer"/>). Hangfire is the durable fallback, paid only for
/// what that misses: a try still queued <see cref="ClusterOptions.HangfireFallbackAfter"/> after its NOTIFY (no worker
/// of its queue was free or listening) goes into ONE Hangfire job per queue carrying the whole batch
/// (<see cref="ClusterBatchJob"/>), retried while the database is unreachable; a batch whose enqueue fails is kept and
/// tried again. A queue no live worker serves gets no job at all (<see cref="UnservedQueues"/>): its tries wait in the
/// store for the first worker of that queue, whose claimer looks at once when it starts. Nothing is lost when a
/// scheduler dies before that: the tries are queued in the store, where workers' polls claim them, and the run's next
/// driver dispatches every queued try again when it resumes the run.</summary>
public sealed class ClusterDispatcher : ITaskDispatcher, IAsyncDisposable
{
    private static readonly TimeSpan PauseAfterFailure = TimeSpan.FromSeconds(1);

    /// <summary>The most tries one Hangfire job carries.</summary>
    internal const int MaxTriesPerJob = 500;

    private readonly Func<string, DispatchedTry[], CancellationToken, Task> _enqueueBatch;
    private readonly Func<IReadOnlyList<DispatchedTry>, CancellationToken, Task<IReadOnlyList<DispatchedTry>>> _stillQueued;
    private readonly IStoreSignals _signals;
    private readonly UnservedQueues? _unserved;
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
    private readonly Queue<(DateTimeOffset SignalledAt, string Queue, DispatchedTry Try)> _signalled = new();

    // When workers were last seen claiming from each queue (only the flush, under _flushing, uses it).
    private readonly Dictionary<string, DateTimeOffset> _progressSeenAt = new(StringComparer.Ordinal);
    private bool _wakeRequested;

    public ClusterDispatcher(JobStorage storage, IMetadataStore store, Polly.ResiliencePipeline retry, ClusterOptions options, TimeProvider time, ILogger logger)
        : this(EnqueueWith(new BackgroundJobClient(storage)), StillQueuedIn(store), store.Signals, retry, options, time, logger, store.Workers.ListAsync)
    {
    }

    /// <summary>With Hangfire's enqueue and the store's checks replaced (tests: an enqueue that fails for a while).
    /// Without <paramref name="listWorkers"/>, every queue counts as served by a live worker.</summary>
    internal ClusterDispatcher(
        Func<string, DispatchedTry[], CancellationToken, Task> enqueueBatch,
        Func<IReadOnlyList<DispatchedTry>, CancellationToken, Task<IReadOnlyList<DispatchedTry>>> stillQueued,
        IStoreSignals signals, Polly.ResiliencePipeline retry, ClusterOptions options, TimeProvider time, ILogger logger,
        Func<CancellationToken, Task<IReadOnlyList<WorkerRecord>>>? listWorkers = null)
    {
        _unserved = listWorkers is null ? null : new UnservedQueues(listWorkers, options.LeaseTimeout, time, logger);
        _enqueueBatch = enqueueBatch;
        _stillQueued = stillQueued;
        _signals = signals;
        _retry = retry;
        _options = options;
        _time = time;
        _logger = logger;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Dispatches not yet settled: waiting for their NOTIFY, or for the check that hands the unclaimed ones
    /// to Hangfire (for tests and the stop log).</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Values.Sum(p => p.Count) + _signalled.Count;
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
            if (_wakeRequested)
            {
                return;
            }

            _wakeRequested = true;
        }

        _work.Release();
    }

    /// <summary>Sends the buffered dispatches' NOTIFYs, then hands to Hangfire those still queued that were signalled
    /// at least <see cref="ClusterOptions.HangfireFallbackAfter"/> ago (all of them when <paramref name="all"/>). A
    /// batch whose Hangfire enqueue fails (past the retries) is kept for the next flush and the error rethrown.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken, bool all = false)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            await SignalAsync(cancellationToken);
            await HandOverUnclaimedAsync(all ? DateTimeOffset.MaxValue : _time.GetUtcNow() - _options.HangfireFallbackAfter, all, cancellationToken);
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task SignalAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, List<DispatchedTry>> taken;
        lock (_gate)
        {
            (taken, _pending) = (_pending, new Dictionary<string, List<DispatchedTry>>(StringComparer.Ordinal));
            _wakeRequested = false;
        }

        foreach (var queue in taken.Keys)
        {
            if (!await _signals.TryNotifyAsync(QueueChannels.Of(queue), cancellationToken))
            {
                _logger.LogDebug("Could not signal queue {Queue}; the workers' poll and the Hangfire fallback find its tries", queue);
            }
        }

        var now = _time.GetUtcNow();
        lock (_gate)
        {
            foreach (var (queue, batch) in taken)
            {
                foreach (var one in batch)
                {
                    _signalled.Enqueue((now, queue, one));
                }
            }
        }
    }

    /// <summary>The tries signalled up to <paramref name="signalledBy"/>: those still queued go to Hangfire — unless
    /// workers are visibly working through their queue (some try of it this dispatcher watches was claimed since it
    /// was signalled): a backlog is not a lost signal, and Hangfire jobs would only compete for the same slots, so
    /// those are looked at again later — or no live worker serves their queue: then they stay in the store for the first
    /// worker of it. <paramref name="all"/> (stopping): every try still queued goes, to a queue some live worker serves.</summary>
    private async Task HandOverUnclaimedAsync(DateTimeOffset signalledBy, bool all, CancellationToken cancellationToken)
    {
        List<(DateTimeOffset SignalledAt, string Queue, DispatchedTry Try)> due = [];
        lock (_gate)
        {
            while (_signalled.TryPeek(out var oldest) && oldest.SignalledAt <= signalledBy)
            {
                due.Add(_signalled.Dequeue());
            }
        }

        if (due.Count == 0)
        {
            return;
        }

        // A try signalled twice (its run resumed here while it was watched) is looked at once, as of its first signal.
        due = [.. due.DistinctBy(d => (d.Queue, Key(d.Try)))];

        var unsettled = due;
        try
        {
            foreach (var queue in due.Select(d => d.Queue).Distinct(StringComparer.Ordinal).ToList())
            {
                var ofQueue = due.Where(d => d.Queue == queue).ToList();
                if (!all && _progressSeenAt.TryGetValue(queue, out var seenAt) && _time.GetUtcNow() - seenAt < _options.HangfireFallbackAfter)
                {
                    // Workers claimed from this queue less than a fallback period ago: the due tries wait for the next
                    // look without a read each (a backlog of thousands made one read of 500 per dispatch otherwise).
                    Defer(ofQueue);
                    unsettled = [.. unsettled.Where(d => d.Queue != queue)];
                    continue;
                }

                var dueKeys = ofQueue.Select(d => Key(d.Try)).ToHashSet();
                List<(DateTimeOffset SignalledAt, string Queue, DispatchedTry Try)> younger;
                lock (_gate)
                {
                    younger = [.. _signalled.Where(d => d.Queue == queue && !dueKeys.Contains(Key(d.Try))).DistinctBy(d => Key(d.Try))];
                }

                // Progress is judged on every try of the queue still being watched, not only the due ones: workers claim
                // by priority and age, not in the order tries were dispatched. Oldest first, a part at a time: a
                // backlog being worked through shows progress in its first part, and the rest need no read now.
                var (still, progress, checkedCount) = await ProgressAsync([.. ofQueue, .. younger], stopAtProgress: !all, cancellationToken);
                if (progress && !all)
                {
                    // Workers are claiming from this queue: look again later at the due ones left (or not read yet).
                    _progressSeenAt[queue] = _time.GetUtcNow();
                    var read = ofQueue.Take(checkedCount).Select(d => Key(d.Try)).ToHashSet();
                    Defer([.. ofQueue.Where(d => still.Contains(Key(d.Try)) || !read.Contains(Key(d.Try)))]);
                    unsettled = [.. unsettled.Where(d => d.Queue != queue)];
                    continue;
                }

                var handOver = ofQueue.Where(d => still.Contains(Key(d.Try))).Select(d => d.Try).ToList();
                if (handOver.Count > 0 && _unserved is { } unserved
                    && !await _retry.ExecuteAsync(async token => await unserved.IsServedAsync(queue, handOver.Count, token), cancellationToken))
                {
                    // They stay queued in the store, watched no more: a worker of the queue claims them when it starts.
                    unsettled = [.. unsettled.Where(d => d.Queue != queue)];
                    continue;
                }

                if (handOver.Count > 0 && !all)
                {
                    _logger.LogInformation("Queue {Queue}: {Count} tries still queued {After} after their NOTIFY, and no try of the queue claimed meanwhile: handed to Hangfire as well",
                        queue, handOver.Count, _options.HangfireFallbackAfter);
                }

                // A job's arguments are one JSON text: thousands of tries go in several jobs.
                foreach (var part in handOver.Chunk(MaxTriesPerJob))
                {
                    await _retry.ExecuteAsync(async token => await _enqueueBatch(queue, part, token), cancellationToken);
                    var sent = part.Select(Key).ToHashSet();
                    unsettled = [.. unsettled.Where(d => d.Queue != queue || !sent.Contains(Key(d.Try)))];
                }

                unsettled = [.. unsettled.Where(d => d.Queue != queue)];
            }
        }
        catch
        {
            lock (_gate)
            {
                // Oldest first, ahead of what was signalled meanwhile.
                var newer = _signalled.ToList();
                _signalled.Clear();
                foreach (var left in unsettled.Concat(newer))
                {
                    _signalled.Enqueue(left);
                }
            }

            throw;
        }
    }

    /// <summary>Watches <paramref name="tries"/> again, as if signalled now.</summary>
    private void Defer(IReadOnlyList<(DateTimeOffset SignalledAt, string Queue, DispatchedTry Try)> tries)
    {
        var later = _time.GetUtcNow();
        lock (_gate)
        {
            foreach (var left in tries)
            {
                _signalled.Enqueue((later, left.Queue, left.Try));
            }
        }
    }

    /// <summary>Which of <paramref name="tries"/> are still queued, read <see cref="ProgressPart"/> at a time; with
    /// <paramref name="stopAtProgress"/>, the reading stops at the first part with a try claimed. Returns the still
    /// queued among those read, whether a claimed one was seen, and how many (from the first) were read.</summary>
    private async Task<(HashSet<(string, string, int)> Still, bool Progress, int Checked)> ProgressAsync(
        IReadOnlyList<(DateTimeOffset SignalledAt, string Queue, DispatchedTry Try)> tries, bool stopAtProgress, CancellationToken cancellationToken)
    {
        var still = new HashSet<(string, string, int)>();
        var read = 0;
        var progress = false;
        foreach (var part in tries.Chunk(ProgressPart))
        {
            var queued = await _retry.ExecuteAsync(async token => await _stillQueued([.. part.Select(d => d.Try)], token), cancellationToken);
            still.UnionWith(queued.Select(Key));
            read += part.Length;
            progress |= queued.Count < part.Length;
            if (progress && stopAtProgress)
            {
                break;
            }
        }

        return (still, progress, read);
    }

    // One read of the store's task instances per part (it reads 500 per statement).
    private const int ProgressPart = 500;

    private static (string, string, int) Key(DispatchedTry one) => (one.RunId, one.TaskId, one.TryNumber);

    private async Task LoopAsync()
    {
        try
        {
            while (true)
            {
                // Until new work, or until the oldest signalled try is due for the fallback check.
                TimeSpan? untilDue;
                lock (_gate)
                {
                    untilDue = _signalled.TryPeek(out var oldest) ? oldest.SignalledAt + _options.HangfireFallbackAfter - _time.GetUtcNow() : null;
                }

                await WaitForWorkAsync(untilDue);
                try
                {
                    await FlushAsync(_stop.Token);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    _logger.LogError("Handing {Count} dispatched tries to Hangfire failed ({Error}); they stay queued in the store and are tried again",
                        Pending, exception.Message);
                    await Task.Delay(PauseAfterFailure, _time, _stop.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping: DisposeAsync flushes what is left
        }
    }

    /// <summary>Returns when something was enqueued or <paramref name="due"/> has passed (never, when null).</summary>
    private async Task WaitForWorkAsync(TimeSpan? due)
    {
        if (due is not { } wait)
        {
            await _work.WaitAsync(_stop.Token);
            return;
        }

        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(wait, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, timeout.Token);
        try
        {
            await _work.WaitAsync(either.Token);
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
        {
            // due
        }
    }

    /// <summary>Signals what is buffered and hands every try still queued to Hangfire (for up to
    /// <see cref="ClusterOptions.DispatchFlushOnStop"/>), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        using var bounded = new CancellationTokenSource(_options.DispatchFlushOnStop, _time);
        try
        {
            await FlushAsync(bounded.Token, all: true);
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

    internal static Func<IReadOnlyList<DispatchedTry>, CancellationToken, Task<IReadOnlyList<DispatchedTry>>> StillQueuedIn(IMetadataStore store) => async (tries, token) =>
        [.. (await store.TaskInstances.StillQueuedAsync([.. tries.Select(t => (new RunId(t.RunId), new TaskId(t.TaskId), t.TryNumber))], token))
            .Select(c => new DispatchedTry { RunId = c.RunId.Value, TaskId = c.TaskId.Value, TryNumber = c.TryNumber })];
}
