using Microsoft.Extensions.Logging;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Cluster;

/// <summary>A worker's fast path: whenever it has free slots and something may be waiting — a scheduler's NOTIFY on
/// one of its queues' channels, a try of its own ending (the scheduler may just have queued the next task), or the
/// fallback poll — it claims up to that many queued tries of its queues from the store in one transaction and starts
/// them. No Hangfire job is on this path; Hangfire's batch jobs are the fallback for what this misses.</summary>
internal sealed class QueuedTryClaimer : IAsyncDisposable
{
    private readonly IMetadataStore _store;
    private readonly ClusterTaskWorker _worker;
    private readonly IReadOnlyList<string> _queues;
    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Concurrency.CoalescedPass _pass;
    private readonly List<IDisposable> _subscriptions = [];
    private ITimer? _poll;
    private int _failuresInARow;
    private volatile string? _standalone;

    public QueuedTryClaimer(IMetadataStore store, ClusterTaskWorker worker, IReadOnlyList<string> queues, ClusterOptions options, TimeProvider time, ILogger logger)
    {
        _store = store;
        _worker = worker;
        _queues = queues;
        _options = options;
        _time = time;
        _logger = logger;
        _pass = new Concurrency.CoalescedPass(ClaimAsync, _stop.Token);
    }

    public void Start()
    {
        foreach (var queue in _queues)
        {
            _subscriptions.Add(_store.Signals.Subscribe(QueueChannels.Of(queue), Wake));
        }

        _worker.TryEnded += Wake;
        _poll = _time.CreateTimer(_ => _ = PollAsync(), null, TimeSpan.Zero, _options.ClaimPollInterval);
    }

    /// <summary>The fallback poll; it also checks that no standalone engine drives this store, whose queued tries are
    /// its own (a misconfiguration: such a store has no cluster scheduler).</summary>
    private async Task PollAsync()
    {
        try
        {
            var holder = await _store.Leases.GetAsync(Hosting.EngineLease.Name, _stop.Token);
            var standalone = holder is not null && holder.ExpiresAt > _time.GetUtcNow() && !Hosting.EngineLease.IsDeadLocalProcess(holder.Owner) ? holder.Owner : null;
            if (standalone is not null && _standalone is null)
            {
                _logger.LogError("Worker {Worker}: a standalone engine ({Owner}) drives this store; claiming nothing until it stops (a cluster's workers and a standalone engine cannot share a store)",
                    _worker.WorkerId, standalone);
            }

            _standalone = standalone;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The database restarting: the claim pass logs it.
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Wake();
    }

    /// <summary>Asks for a claim pass; completes when a pass begun after the call has ended.</summary>
    public Task WakeAsync() => _pass.RequestAsync();

    private void Wake() => _ = _pass.RequestAsync();

    /// <summary>Claims while slots are free and the store has queued tries for them.</summary>
    private async Task ClaimAsync(CancellationToken cancellationToken)
    {
        while (!_worker.Stopping && _standalone is null)
        {
            var free = _worker.Slots.TryTake(int.MaxValue);
            if (free == 0)
            {
                return; // a try ending asks again
            }

            IReadOnlyList<ClaimedTry> claimed;
            var now = _time.GetUtcNow();
            try
            {
                claimed = await _store.TaskInstances.ClaimQueuedAsync(new QueuedClaim(_queues, free, _worker.WorkerId, now, now + _options.LeaseTimeout), cancellationToken);
                if (_failuresInARow > 0)
                {
                    _logger.LogInformation("Worker {Worker}: claiming queued tries works again after {Failures} failure(s)", _worker.WorkerId, _failuresInARow);
                    _failuresInARow = 0;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                _worker.Slots.Release(free);
                // The database restarting: the poll tries again.
                if (_failuresInARow++ == 0)
                {
                    _logger.LogWarning("Worker {Worker}: claiming queued tries failed ({Error}); trying again every {Poll}", _worker.WorkerId, exception.Message, _options.ClaimPollInterval);
                }

                return;
            }
            catch
            {
                _worker.Slots.Release(free);
                throw;
            }

            if (claimed.Count < free)
            {
                _worker.Slots.Release(free - claimed.Count);
            }

            foreach (var one in claimed)
            {
                _worker.StartClaimed(one, now);
            }

            if (claimed.Count < free)
            {
                return; // nothing more queued now
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _worker.TryEnded -= Wake;
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        if (_poll is not null)
        {
            await _poll.DisposeAsync();
        }

        await _stop.CancelAsync();
        await _pass.RequestAsync(); // returns once no pass is running
        _stop.Dispose();
    }
}
