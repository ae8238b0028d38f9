using Microsoft.Extensions.Logging;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Runs;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Cluster;

/// <summary>A scheduler's share of a cluster's runs, kept up in the background: workers' reports of finished tries
/// are handed to the coordinator; run leases are renewed (a run whose lease was lost is let go); tries whose worker
/// stopped heartbeating are recorded lost; and running runs nobody drives (their scheduler died or stopped) are taken
/// over and resumed from the store.</summary>
internal sealed class ClusterDriving : IAsyncDisposable
{
    private readonly IMetadataStore _store;
    private readonly RunCoordinator _coordinator;
    private readonly RunLeases _leases;
    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<RunId, CancellationToken, Task<bool>> _resume;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly Concurrency.CoalescedPass _reports;
    private readonly Concurrency.CoalescedPass _changes;
    private readonly ClusterRunChanges _runChanges;
    private IDisposable? _wakeups;
    private IDisposable? _changeWakeups;

    /// <summary>The signal a worker sends after reporting a try (<see cref="IStoreSignals"/>).</summary>
    public const string ReportsChannel = "try_reports";

    public ClusterDriving(
        IMetadataStore store, RunCoordinator coordinator, RunLeases leases, ClusterOptions options, TimeProvider time, ILogger logger,
        Func<RunId, CancellationToken, Task<bool>> resume)
    {
        _store = store;
        _coordinator = coordinator;
        _leases = leases;
        _options = options;
        _time = time;
        _logger = logger;
        _resume = resume;
        _runChanges = new ClusterRunChanges(store, coordinator, leases.Owner, time, logger);
        _reports = new Concurrency.CoalescedPass(Logged(TakeReportsAsync, "Reading workers' reports"), _stop.Token);
        _changes = new Concurrency.CoalescedPass(Logged(ApplyRunChangesAsync, "Applying operators' changes"), _stop.Token);
    }

    public void Start()
    {
        // A worker's signal starts a pass at once; the poll is the fallback when a signal is lost.
        // Operators' clear and mark requests likewise: at once on the filer's signal, else at the same poll.
        _wakeups = _store.Signals.Subscribe(ReportsChannel, () => _ = _reports.RequestAsync());
        _changeWakeups = _store.Signals.Subscribe(ClusterRunChanges.Channel, () => _ = _changes.RequestAsync());
        _loops.Add(Every(_options.ReportPollInterval, _ => Task.WhenAll(_reports.RequestAsync(), _changes.RequestAsync()), "Reading reports and changes"));
        _loops.Add(Every(_options.RenewInterval, KeepUpAsync, "Renewing leases"));
    }

    /// <summary>A background pass that logs its failure and leaves the retry to the next pass.</summary>
    private Func<CancellationToken, Task> Logged(Func<CancellationToken, Task> pass, string what) => async cancellationToken =>
    {
        try
        {
            await pass(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogWarning("{What} failed: {Error}; the next pass tries again", what, exception.Message);
        }
    };

    /// <summary>Operators' clear and mark requests for the runs driven here, applied and decided.</summary>
    public Task ApplyRunChangesAsync(CancellationToken cancellationToken) => _runChanges.ApplyPendingAsync(cancellationToken);

    /// <summary>Reports of the runs driven here, handed to the coordinator (which decides each once).</summary>
    public async Task TakeReportsAsync(CancellationToken cancellationToken)
    {
        var driven = _coordinator.ActiveRuns;
        if (driven.Count == 0)
        {
            return;
        }

        var left = (await _store.TryReports.ListAsync(driven, 1_000, cancellationToken)).ToList();
        var recording = new List<Task>();
        // A try a worker started right after another's success is taken once that one is; workers' clocks differ, so
        // its report may come first in the list: go over the rest again while that makes progress.
        while (left.Count > 0)
        {
            var before = left.Count;
            left = left.Where(report =>
            {
                if (!_coordinator.CompleteReported(report, out var recorded))
                {
                    return true;
                }

                recording.Add(recorded);
                return false;
            }).ToList();
            if (left.Count == before)
            {
                break;
            }
        }

        // The pass ends once what it handed over is committed: signals arriving meanwhile make ONE next pass, which
        // reads every report that came in during the commit, instead of one pass (and one read of the reports still
        // in flight) per signal.
        try
        {
            await Task.WhenAll(recording).WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Logged by the coordinator; the reports stay in the store for the next pass or the next driver.
        }
    }

    /// <summary>Renews leases, records lost tries, and adopts runs nobody drives.</summary>
    public async Task KeepUpAsync(CancellationToken cancellationToken)
    {
        foreach (var name in await _leases.RenewAsync(cancellationToken))
        {
            if (name.StartsWith("run/", StringComparison.Ordinal) && _coordinator.Release(new RunId(name["run/".Length..])))
            {
                _logger.LogWarning("Lease {Lease} passed to another scheduler: this one stops driving that run", name);
            }
        }

        foreach (var expired in await _store.Workers.ExpiredTriesAsync(_time.GetUtcNow(), 500, cancellationToken))
        {
            await _coordinator.RecordWorkerLostAsync(expired, cancellationToken);
        }

        await _store.TryReports.DeleteStaleAsync(cancellationToken);
        await AdoptAsync(cancellationToken);
    }

    private async Task AdoptAsync(CancellationToken cancellationToken)
    {
        var driven = _coordinator.ActiveRuns.ToHashSet();
        var running = await _store.Runs.ListAsync(new RunQuery(State: DagRunState.Running, Limit: 10_000), cancellationToken);
        var leases = (await _store.Leases.ListAsync("run/", cancellationToken)).ToDictionary(l => l.Name, StringComparer.Ordinal); // one read, not one per run
        foreach (var run in running.Where(r => !driven.Contains(r.RunId) && !r.IsTest))
        {
            var lease = leases.GetValueOrDefault(RunLeases.NameOf(run.RunId));
            var free = lease is null || lease.Owner == _leases.Owner || lease.ExpiresAt <= _time.GetUtcNow();
            if (free && await _leases.TryAcquireAsync(run.RunId, cancellationToken) && await _resume(run.RunId, cancellationToken))
            {
                _logger.LogInformation("Run {RunId} of {DagId} taken over{From} and resumed", run.RunId, run.DagId,
                    lease is null || lease.Owner == _leases.Owner ? "" : $" from {lease.Owner} (its lease ran out)");
            }
        }
    }

    private Task Every(TimeSpan period, Func<CancellationToken, Task> work, string what) => Task.Run(async () =>
    {
        using var timer = new PeriodicTimer(period, _time);
        var failures = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    await work(_stop.Token);
                    if (failures > 0)
                    {
                        _logger.LogInformation("{What}: working again after {Failures} failure(s)", what, failures);
                    }

                    failures = 0;
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // The database restarting: logged once per outage in full, then briefly; the loop goes on.
                    if (failures++ == 0)
                    {
                        _logger.LogWarning(exception, "{What} failed; retrying every {Period}", what, period);
                    }
                    else
                    {
                        _logger.LogWarning("{What} failed again ({Failures} in a row): {Error}", what, failures, exception.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    });

    public async ValueTask DisposeAsync()
    {
        _wakeups?.Dispose();
        _changeWakeups?.Dispose();
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
