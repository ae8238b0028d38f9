using Microsoft.Extensions.Logging;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Cluster;

/// <summary>A worker's fast path: whenever it has free slots and something may be waiting — a scheduler's NOTIFY on
/// one of its queues' channels, a try of its own ending (the scheduler may just have queued the next task), or the
/// fallback poll — it claims up to that many queued tries of its queues from the store in one transaction and starts
/// them, plus some ahead (<see cref="ClusterOptions.ClaimAhead"/>) while its tries are short: those start as slots
/// free, with no round trip, or go back to the queue after <see cref="ClusterOptions.ClaimAheadHold"/>. No Hangfire
/// job is on this path; Hangfire's batch jobs are the fallback for what this misses.</summary>
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
    private readonly HeldTries _held = new();
    private ITimer? _poll;
    private ITimer? _holdCheck;
    // Set when tries held here had to be given back (the slots stayed busy): none are claimed ahead again until a
    // try ends here, or the worker would take back what it just gave away.
    private volatile bool _aheadPaused;
    private int _giveBackFailures;
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

        _worker.TryEnded += OnTryEnded;
        _poll = _time.CreateTimer(_ => _ = PollAsync(), null, TimeSpan.Zero, _options.ClaimPollInterval);
        var holdCheck = _options.ClaimAheadHold / 2;
        _holdCheck = _time.CreateTimer(_ => _ = GiveBackAsync(_time.GetUtcNow() - _options.ClaimAheadHold), null, holdCheck, holdCheck);
    }

    /// <summary>Tries claimed ahead and waiting for a slot here.</summary>
    public int Held => _held.Count;

    /// <summary>Gives the tries held since <paramref name="claimedBy"/> back to their queue and wakes its workers; kept
    /// for the next look when the database cannot be reached (giving back twice is harmless).</summary>
    public async Task GiveBackAsync(DateTimeOffset claimedBy)
    {
        var late = _held.TakeClaimedBy(claimedBy);
        if (late.Count == 0)
        {
            return;
        }

        try
        {
            _aheadPaused = true;
            var given = await _store.TaskInstances.GiveBackAsync(_worker.WorkerId, [.. late.Select(h => h.Try)], _time.GetUtcNow(), CancellationToken.None);
            _logger.LogDebug("Worker {Worker}: gave {Count} tries claimed ahead back to the queue (no slot freed within {Hold})",
                _worker.WorkerId, given.Count, _options.ClaimAheadHold);
            if (Interlocked.Exchange(ref _giveBackFailures, 0) is > 0 and var failures)
            {
                _logger.LogInformation("Worker {Worker}: giving back tries claimed ahead works again after {Failures} failure(s)", _worker.WorkerId, failures);
            }

            foreach (var queue in _queues)
            {
                await _store.Signals.TryNotifyAsync(QueueChannels.Of(queue), CancellationToken.None);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _held.PutBack(late);
            // Once per outage: this runs every half hold while the database is away.
            if (Interlocked.Increment(ref _giveBackFailures) == 1)
            {
                _logger.LogWarning("Worker {Worker}: giving back {Count} tries claimed ahead failed ({Error}); trying again every {Every}; they never start here meanwhile",
                    _worker.WorkerId, late.Count, exception.Message, _options.ClaimAheadHold / 2);
            }
        }
    }

    /// <summary>How many tries to hold beyond the free slots: as many as the worker's recent try time lets its slots
    /// start within half the hold (a margin before they would be given back), at most <see cref="ClusterOptions.ClaimAhead"/>.</summary>
    private int AheadWanted()
    {
        if (_options.ClaimAhead <= 0 || _aheadPaused || _worker.RecentTryTime is not { } recent)
        {
            return 0;
        }

        var startable = _options.ClaimAheadHold.Ticks / 2.0 * _worker.Slots.Count / Math.Max(recent.Ticks, 1);
        return (int)Math.Min(_options.ClaimAhead, startable);
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

    private void OnTryEnded()
    {
        _aheadPaused = false;
        StartHeld();
        Wake();
    }

    /// <summary>Starts held tries in the slots free now, here and not in a claim pass: a pass may be waiting on the
    /// database, and a held try needs none.</summary>
    private void StartHeld()
    {
        while (!_worker.Stopping && _held.Count > 0 && _worker.Slots.TryTake(1) == 1)
        {
            if (_held.Take(1, _time.GetUtcNow() - _options.ClaimAheadHold) is [var (held, batch)])
            {
                _worker.StartClaimed(held, batch);
            }
            else
            {
                _worker.Slots.Release(); // taken meanwhile by a pass, or due to be given back
                return;
            }
        }
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
            foreach (var (held, batch) in _held.Take(free, _time.GetUtcNow() - _options.ClaimAheadHold))
            {
                _worker.StartClaimed(held, batch);
                free--;
            }

            // Held tries are topped up once half are gone, in one claim, not one by one as each starts: the rest
            // keep the slots busy while the claim is on its way.
            var wanted = AheadWanted();
            var ahead = _held.Count > wanted / 2 ? 0 : wanted - _held.Count;
            if (free + ahead == 0)
            {
                return; // a try ending asks again
            }

            IReadOnlyList<ClaimedTry> claimed;
            var now = _time.GetUtcNow();
            try
            {
                claimed = await _store.TaskInstances.ClaimQueuedAsync(new QueuedClaim(_queues, free + ahead, _worker.WorkerId, now, now + _options.LeaseTimeout), cancellationToken);
                if (_failuresInARow > 0)
                {
                    _logger.LogInformation("Worker {Worker}: claiming queued tries works again after {Failures} failure(s)", _worker.WorkerId, _failuresInARow);
                    _failuresInARow = 0;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                ReleaseSlots(free);
                // The database restarting: the poll tries again.
                if (_failuresInARow++ == 0)
                {
                    _logger.LogWarning("Worker {Worker}: claiming queued tries failed ({Error}); trying again every {Poll}", _worker.WorkerId, exception.Message, _options.ClaimPollInterval);
                }

                return;
            }
            catch
            {
                ReleaseSlots(free);
                throw;
            }

            var startNow = Math.Min(free, claimed.Count);
            ReleaseSlots(free - startNow);
            var claim = new ClaimBatch(now, _store.TryReports); // made after the claim committed: see ClaimBatch
            foreach (var one in claimed.Take(startNow))
            {
                _worker.StartClaimed(one, claim);
            }

            _held.Add(claimed.Skip(startNow), claim);
            if (claimed.Count < free + ahead)
            {
                return; // nothing more queued now
            }
        }
    }

    private void ReleaseSlots(int count)
    {
        if (count > 0)
        {
            _worker.Slots.Release(count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _worker.TryEnded -= OnTryEnded;
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        if (_poll is not null)
        {
            await _poll.DisposeAsync();
        }

        if (_holdCheck is not null)
        {
            await _holdCheck.DisposeAsync();
        }

        await _stop.CancelAsync();
        await _pass.RequestAsync(); // returns once no pass is running
        await GiveBackAsync(DateTimeOffset.MaxValue); // stopping: what never started goes to the other workers
        _stop.Dispose();
    }
}
