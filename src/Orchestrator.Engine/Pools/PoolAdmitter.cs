using Microsoft.Extensions.Logging;
using Orchestrator.Engine.Concurrency;
using Orchestrator.Engine.Runs;
using Orchestrator.Storage;

namespace Orchestrator.Engine.Pools;

/// <summary>Admits tasks waiting for pool slots, in every scheduler (the embedded engine included): a pass asks the
/// store to admit, per pool some task waits for, as many as its open slots allow (highest priority first; the store's
/// row lock on the pool keeps two schedulers from over-admitting), dispatches the admitted tasks of the runs driven
/// here, and signals the other schedulers to dispatch theirs. A pass runs when this coordinator's runs change the
/// pools' use and on the pickup timer (a pool resized); another process's signal, and the timer, re-read the waiting
/// tasks of the runs driven here to dispatch what others admitted.</summary>
public sealed class PoolAdmitter : IDisposable
{
    /// <summary>The signal channel of admissions: "a pool admitted tasks, dispatch yours".</summary>
    public const string Channel = "orchestrator_pools";

    private readonly IMetadataStore _store;
    private readonly RunCoordinator _coordinator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CoalescedPass _pass;
    private readonly CoalescedPass _refresh;
    private readonly IDisposable _signals;
    private readonly HashSet<string> _reportedMissing = new(StringComparer.Ordinal);

    public PoolAdmitter(IMetadataStore store, RunCoordinator coordinator, TimeProvider time, ILogger logger, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(coordinator);
        _store = store;
        _coordinator = coordinator;
        _time = time;
        _logger = logger;
        _pass = new CoalescedPass(AdmitAsync, stopping);
        _refresh = new CoalescedPass(RefreshAsync, stopping);
        coordinator.PoolsChanged += OnPoolsChanged;
        _signals = store.Signals.Subscribe(Channel, () => _ = _refresh.RequestAsync());
    }

    /// <summary>Asks for an admission pass; completes when one begun after the call has ended.</summary>
    public Task RequestAsync() => _pass.RequestAsync();

    /// <summary>The periodic look (the pickup timer): an admission pass, and a re-read of the tasks waiting here in case
    /// one was admitted without this process hearing of it (a lost signal, or admitted before this process resumed
    /// its run). The re-read reads whole runs, so it is kept off the per-commit path.</summary>
    public Task TickAsync() => Task.WhenAll(_pass.RequestAsync(), _refresh.RequestAsync());

    private void OnPoolsChanged() => _ = _pass.RequestAsync();

    private async Task AdmitAsync(CancellationToken cancellationToken)
    {
        try
        {
            var elsewhere = 0;
            foreach (var pool in await _store.Pools.WaitedForAsync(cancellationToken))
            {
                elsewhere += await AdmitToAsync(pool, cancellationToken);
            }

            if (elsewhere > 0)
            {
                await _store.Signals.NotifyAsync(Channel, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogError(exception, "Admitting tasks to pools failed; the next pass tries again");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>One pool's admission; a failure (a deadlock victim, the database away) is logged and leaves the other
    /// pools to be admitted in this pass. Returns how many admitted tasks belong to runs driven elsewhere.</summary>
    private async Task<int> AdmitToAsync(string pool, CancellationToken cancellationToken)
    {
        try
        {
            var admitted = await _store.Pools.AdmitAsync(pool, _time.GetUtcNow(), cancellationToken);
            if (admitted.Count == 0)
            {
                await ReportMissingAsync(pool, cancellationToken);
                return 0;
            }

            _logger.LogDebug("Pool {Pool} admitted {Count} task(s)", pool, admitted.Count);
            return await _coordinator.DispatchAdmittedAsync(admitted, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogError(exception, "Admitting tasks to pool {Pool} failed; the next pass tries again", pool);
            return 0;
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_coordinator.HasPoolWaits)
            {
                await _coordinator.RefreshPoolWaitsAsync(cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogError(exception, "Dispatching tasks admitted to pools failed; the next pass tries again");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>Tasks waiting for a pool nobody created wait until it is: said once per pool name, not every pass.</summary>
    private async Task ReportMissingAsync(string pool, CancellationToken cancellationToken)
    {
        if (await _store.Pools.GetAsync(pool, cancellationToken) is not null)
        {
            _reportedMissing.Remove(pool);
            return;
        }

        if (_reportedMissing.Add(pool))
        {
            _logger.LogWarning("Tasks wait for pool {Pool}, which does not exist: create it with `orchestrator pools set {Pool} SLOTS`", pool, pool);
        }
    }

    public void Dispose()
    {
        _coordinator.PoolsChanged -= OnPoolsChanged;
        _signals.Dispose();
    }
}
