using Microsoft.Extensions.Logging;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Cluster;
using Orchestrator.Engine.Concurrency;
using Orchestrator.Engine.Dispatch;
using Orchestrator.Engine.Events;
using Orchestrator.Engine.Runs;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Engine.Scheduling.Clustered;
using Orchestrator.Engine.Workers;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Loading;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Hosting;

/// <summary>Scheduler, dispatcher and workers in one process (<c>orchestrator standalone</c>): reads the DAG folder
/// and keeps watching it, resumes the runs the store shows unfinished, creates scheduled runs through Quartz, starts
/// queued runs within each DAG's max active runs, and runs tasks on Hangfire workers.</summary>
public sealed class EmbeddedEngine : IAsyncDisposable
{
    /// <summary>The signal channel of "queued runs were created: start them" in a cluster, where the scheduler holding
    /// the pickup lease may be another process than the one that created them (a Quartz fire, a web trigger).</summary>
    public const string PickupChannel = "orchestrator_pickup";

    private readonly IMetadataStore _store;
    private readonly DagCatalog _catalog;
    private readonly RunCoordinator _coordinator;
    private readonly Hangfire.JobStorage _hangfire;
    private readonly IDisposable? _localDispatcher;
    private readonly TaskWorker? _worker;
    private readonly RunLeases? _leases;
    private ClusterDriving? _cluster;
    private ClusterDispatcher? _clusterDispatcher;
    private EngineLease? _engineLease;
    private readonly RunFactory _runs;
    private readonly EngineOptions _options;
    private readonly ILogger _logger;
    private readonly Dictionary<DagId, bool> _pausedSeen = [];
    private readonly HashSet<DagId> _reportedMissing = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly CoalescedPass _pickup;
    private readonly EventDelivery _events;
    private QuartzRunScheduler? _scheduler;
    private FolderWatcher? _watcher;
    private ITimer? _pickupTimer;
    private Pools.PoolAdmitter? _pools;
    private IDisposable? _pickupSignals;

    private EmbeddedEngine(
        EngineOptions options, IMetadataStore store, DagCatalog catalog, RunCoordinator coordinator, TaskWorker? worker, Hangfire.JobStorage hangfire,
        IDisposable? localDispatcher, RunLeases? leases, RunFactory runs, TimeProvider time, ILogger logger)
    {
        _options = options;
        _store = store;
        _catalog = catalog;
        _coordinator = coordinator;
        _worker = worker;
        _hangfire = hangfire;
        _localDispatcher = localDispatcher;
        _leases = leases;
        _runs = runs;
        _logger = logger;
        _pickup = new CoalescedPass(PickUpQueuedRunsAsync, _stopping.Token);
        _events = new EventDelivery(store, catalog, runs, time, logger);
    }

    public DagCatalog Catalog => _catalog;

    public RunCoordinator Coordinator => _coordinator;

    /// <summary>The Hangfire storage the engine dispatches through, for the Hangfire dashboard.</summary>
    public Hangfire.JobStorage HangfireStorage => _hangfire;

    public static async Task<EmbeddedEngine> StartAsync(EngineOptions options, IMetadataStore store, TaskTypeRegistry registry, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DagsFolder, $"{nameof(EngineOptions)}.{nameof(EngineOptions.DagsFolder)}");
        ArgumentNullException.ThrowIfNull(store);
        if (options.Cluster is null)
        {
            var lease = await EngineLease.AcquireAsync(store.Leases, time, logger, cancellationToken);
            try
            {
                var engine = await StartAsync(options, store, registry, time, logger, lease, cancellationToken);
                return engine;
            }
            catch
            {
                await lease.DisposeAsync();
                throw;
            }
        }

        if (await store.Leases.GetAsync(EngineLease.Name, cancellationToken) is { } standalone && standalone.ExpiresAt > time.GetUtcNow()
            && !EngineLease.IsDeadLocalProcess(standalone.Owner))
        {
            throw new InvalidOperationException(
                $"a standalone engine drives this store ({standalone.Owner}): a cluster's schedulers and a standalone engine cannot share a store; stop it first");
        }

        return await StartAsync(options, store, registry, time, logger, null, cancellationToken);
    }

    private static async Task<EmbeddedEngine> StartAsync(
        EngineOptions options, IMetadataStore store, TaskTypeRegistry registry, TimeProvider time, ILogger logger, EngineLease? engineLease, CancellationToken cancellationToken)
    {
        var loader = DagLoaders.CreateFolderLoader(DagLoading.OptionsFor(registry));
        var catalog = new DagCatalog(options.DagsFolder, loader, store, time);
        await catalog.RefreshAsync(cancellationToken);
        var leases = options.Cluster is { } cluster ? new RunLeases(store.Leases, cluster, time) : null;
        var coordinator = new RunCoordinator(store, catalog.Versions, time, logger, options.LostTries)
        {
            Metrics = options.Metrics,
            FenceFor = leases is null ? null : leases.Get,
            SuccessIsAwaited = dagId => catalog.Current.Values.Any(dag => dag.Definition.Triggers.Any(trigger =>
                trigger.Event == Core.Events.EventSubscriptions.DagSucceeded && trigger.Dag == dagId.Value)),
        };
        TaskWorker? worker = null;
        HangfireTaskDispatcher? local = null;
        Hangfire.JobStorage hangfire;
        ClusterDispatcher? dispatcher = null;
        if (options.Cluster is { } clustered)
        {
            await ClusterHangfire.EnsureMigratedAsync(clustered, cancellationToken);
            hangfire = ClusterHangfire.CreateStorage(clustered); // tries go to worker processes
            dispatcher = new ClusterDispatcher(hangfire, store, StoreRetry.Create(logger, time, "Dispatching tries", onlyOutages: true), clustered, time, logger);
            coordinator.Attach(dispatcher);
        }
        else
        {
            worker = new TaskWorker(coordinator, store, registry, time, $"{Environment.MachineName}:{Environment.ProcessId}", options.Secrets, options.LogLimits);
            local = new HangfireTaskDispatcher(worker, options.Workers, logger: logger);
            hangfire = local.Storage;
            coordinator.Attach(local);
        }

        var runs = new RunFactory(store, time);
        var engine = new EmbeddedEngine(options, store, catalog, coordinator, worker, hangfire, local, leases, runs, time, logger) { _engineLease = engineLease, _clusterDispatcher = dispatcher };
        coordinator.RunFinished += (runId, state) =>
        {
            logger.LogInformation("Run {RunId} finished: {State}", runId, state.ToName());
            if (leases is not null)
            {
                _ = leases.ReleaseAsync(RunLeases.NameOf(runId), CancellationToken.None)
                    .ContinueWith(static failed => _ = failed.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }

            _ = engine.StartQueuedRunsAsync();
        };

        // Before the runs resume: a resumed run's waiting tasks ask for admission as soon as it is driven here.
        engine._pools = new Pools.PoolAdmitter(store, coordinator, time, logger, engine._stopping.Token);
        await engine.ResumeAsync(cancellationToken);
        if (options.Cluster is { } shared)
        {
            engine._cluster = new ClusterDriving(store, coordinator, leases!, shared, time, logger, engine.ResumeRunAsync);
            engine._cluster.Start();
        }

        foreach (var dag in catalog.Current.Values.Where(d => d.Definition.Schedule is not null))
        {
            await runs.CreateDueRunsAsync(dag, cancellationToken); // what was due while the engine was down
        }

        // A cluster's schedulers share Quartz's clustered store: each fire happens on one of them (and the store's
        // unique logical date refuses a duplicate run anyway).
        var quartzStore = options.Cluster is { } quartzCluster ? QuartzStore.ClusteredPostgres(quartzCluster.ConnectionString) : QuartzStore.Ram;
        if (options.Cluster is not null)
        {
            engine._pickupSignals = store.Signals.Subscribe(PickupChannel, () => _ = engine.StartQueuedRunsAsync());
        }

        engine._scheduler = await QuartzRunScheduler.StartAsync(catalog, runs, engine.RunsCreatedAsync, time, quartzStore, cancellationToken);
        catalog.Changed += () => _ = engine._scheduler.SyncAsync(engine._stopping.Token);
        engine._watcher = new FolderWatcher(options.DagsFolder, () => _ = engine.RefreshAsync(), time, TimeSpan.FromMilliseconds(300), options.RescanPeriod);
        engine._pickupTimer = time.CreateTimer(_ =>
        {
            _ = engine.StartQueuedRunsAsync();
            _ = engine._pools.TickAsync();
        }, null, TimeSpan.Zero, options.RunPickupPeriod);
        if (options.Cluster is null)
        {
            logger.LogInformation("Engine started: {Dags} DAG(s), {Errors} import error(s), {Workers} workers",
                catalog.Current.Count, catalog.ImportErrors.Count, options.Workers);
        }
        else
        {
            logger.LogInformation("Scheduler {Scheduler} started: {Dags} DAG(s), {Errors} import error(s), driving {Runs} run(s)",
                options.Cluster.ProcessName, catalog.Current.Count, catalog.ImportErrors.Count, coordinator.ActiveRuns.Count);
        }
        return engine;
    }

    /// <summary>Starts queued runs, per DAG oldest logical date first, while the DAG is under its max active runs
    /// (however many are queued). A paused DAG's scheduled runs wait until it is unpaused (manual runs still start,
    /// as in Airflow's UI trigger of a paused DAG); runs of a DAG whose file is gone wait, and the log says why.
    /// A DAG seen unpaused since the last look gets the runs now due at once.</summary>
    public Task StartQueuedRunsAsync() => _pickup.RequestAsync();

    /// <summary>After this process created queued runs: in a cluster, wakes whichever scheduler holds the pickup lease
    /// (this one included); alone, starts them here.</summary>
    private Task RunsCreatedAsync() => _options.Cluster is null ? StartQueuedRunsAsync() : SignalPickupAsync(_store, _stopping.Token);

    /// <summary>Wakes the cluster's scheduler that starts queued runs (its timer is the fallback when a signal is lost).</summary>
    public static Task SignalPickupAsync(IMetadataStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.Signals.TryNotifyAsync(PickupChannel, cancellationToken);
    }

    /// <summary>After a process created or reopened a queued run: <paramref name="local"/>, this process's engine, starts
    /// it now; without one, the cluster's pickup scheduler is woken.</summary>
    public static Task WakePickupAsync(EmbeddedEngine? local, IMetadataStore store) =>
        local is not null ? local.StartQueuedRunsAsync() : SignalPickupAsync(store, CancellationToken.None);

    private async Task PickUpQueuedRunsAsync(CancellationToken cancellationToken)
    {
        try
        {
            // In a cluster one scheduler at a time starts queued runs (max active runs holds across schedulers).
            if (_leases is not null && !await _leases.TryAcquireAsync(PickupLease, cancellationToken))
            {
                return;
            }

            await _events.DeliverPendingAsync(cancellationToken); // the runs events triggered start in this same pass
            var paused = await CreateRunsOfUnpausedDagsAsync(cancellationToken);
            foreach (var dagId in await _store.Runs.DagsWithRunsAsync(DagRunState.Queued, cancellationToken))
            {
                await StartQueuedRunsOfAsync(dagId, paused.Contains(dagId), cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogError(exception, "Starting queued runs failed");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    private async Task StartQueuedRunsOfAsync(DagId dagId, bool paused, CancellationToken cancellationToken)
    {
        if (!_catalog.Current.TryGetValue(dagId, out var current))
        {
            if (_reportedMissing.Add(dagId))
            {
                _logger.LogWarning("Queued runs of {DagId} wait: no loaded file defines it (its file is gone, or has import errors: see `dags list`); they start once it loads again", dagId);
            }

            return;
        }

        _reportedMissing.Remove(dagId);
        var max = current.Definition.MaxActiveRuns;
        var running = await _store.Runs.ListAsync(new RunQuery(dagId, DagRunState.Running, max), cancellationToken);
        if (running.Count >= max)
        {
            return;
        }

        var queued = await _store.Runs.ListAsync(
            new RunQuery(dagId, DagRunState.Queued, max - running.Count, paused ? RunType.Manual : null, OldestFirst: true), cancellationToken);
        foreach (var run in queued)
        {
            if (await _catalog.GetVersionAsync(run.DagId, run.DagVersion, cancellationToken) is null)
            {
                _logger.LogWarning("Run {RunId} needs a version of {DagId} that is neither loaded nor stored", run.RunId, run.DagId);
                continue;
            }

            if ((_leases is null || await _leases.TryAcquireAsync(run.RunId, cancellationToken)) && await _coordinator.StartAsync(run.RunId, cancellationToken))
            {
                _logger.LogInformation("Run {RunId} of {DagId} started", run.RunId, run.DagId);
            }
        }
    }

    /// <summary>A DAG unpaused since the last look gets the runs due now at once (the latest only without catchup),
    /// not at its next cron fire, which may be a day away. Returns the DAGs paused now.</summary>
    private async Task<HashSet<DagId>> CreateRunsOfUnpausedDagsAsync(CancellationToken cancellationToken)
    {
        var paused = new HashSet<DagId>();
        foreach (var dag in await _store.Dags.ListAsync(cancellationToken))
        {
            var wasPaused = _pausedSeen.GetValueOrDefault(dag.DagId);
            _pausedSeen[dag.DagId] = dag.IsPaused;
            if (dag.IsPaused)
            {
                paused.Add(dag.DagId);
            }

            if (wasPaused && !dag.IsPaused && _catalog.Current.TryGetValue(dag.DagId, out var loaded) && loaded.Definition.Schedule is not null
                && (await _runs.CreateDueRunsAsync(loaded, cancellationToken)).Count is > 0 and var created)
            {
                _logger.LogInformation("{DagId} unpaused: {Count} due run(s) created", dag.DagId, created);
            }
        }

        return paused;
    }

    /// <summary>Stops scheduling and picking up runs, gives running tries <see cref="EngineOptions.StopGrace"/> to end,
    /// interrupts the rest (recorded as interrupted, to run again at the next start without using a retry), and
    /// records everything the workers finished before returning.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _pickupTimer?.Dispose();
        _pools?.Dispose();
        _pickupSignals?.Dispose();
        _watcher?.Dispose();
        if (_scheduler is not null)
        {
            await _scheduler.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        _coordinator.BeginStop();
        var interrupted = _worker is null ? 0 : await _worker.StopAsync(_options.StopGrace);
        if (interrupted > 0)
        {
            _logger.LogWarning("{Count} running tries did not end within the stop grace of {Grace} and were interrupted; they run again at the next start (a task interrupted or lost 3 times in a row fails instead)",
                interrupted, Core.Durations.DurationParser.Format(_options.StopGrace));
        }

        _localDispatcher?.Dispose();
        await _coordinator.StopAsync(); // what the workers finished is recorded before the store closes
        if (_clusterDispatcher is not null)
        {
            await _clusterDispatcher.DisposeAsync(); // the last dispatches, after the last commits
        }

        _worker?.Dispose();
        if (_leases is not null)
        {
            await ReleaseLeasesAsync(_leases);
        }

        if (_engineLease is not null)
        {
            await _engineLease.DisposeAsync();
        }

        _stopping.Dispose();
    }

    /// <summary>Resumes every run the store shows running, all at once: a run whose lost tries must first be stopped
    /// (up to the kill grace each) does not hold up the others.</summary>
    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        var running = await _store.Runs.ListAsync(new RunQuery(State: DagRunState.Running, Limit: 10_000), cancellationToken);
        await Task.WhenAll(running.Select(async run =>
        {
            if ((_leases is null || await _leases.TryAcquireAsync(run.RunId, cancellationToken)) && await ResumeRunAsync(run.RunId, cancellationToken))
            {
                _logger.LogInformation("Run {RunId} of {DagId} resumed", run.RunId, run.DagId);
            }
        }));
    }

    /// <summary>Resumes one run the store shows running, when its DAG version can be had.</summary>
    private async Task<bool> ResumeRunAsync(RunId runId, CancellationToken cancellationToken) =>
        await _store.Runs.GetAsync(runId, cancellationToken) is { } run
        && await _catalog.GetVersionAsync(run.DagId, run.DagVersion, cancellationToken) is not null
        && await _coordinator.StartAsync(runId, cancellationToken);

    /// <summary>The lease of the duty of starting queued runs and delivering events, one scheduler at a time.</summary>
    public const string PickupLease = "scheduler/pickup";

    /// <summary>A stopping scheduler gives its runs up at once: another takes them over without waiting for the leases
    /// to run out. A failure here only delays that.</summary>
    private async Task ReleaseLeasesAsync(RunLeases leases)
    {
        foreach (var name in leases.Held)
        {
            try
            {
                await leases.ReleaseAsync(name, CancellationToken.None);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                _logger.LogWarning("Could not release lease {Lease} ({Error}); another scheduler takes it when it runs out", name, exception.Message);
            }
        }
    }

    private async Task RefreshAsync()
    {
        try
        {
            await _catalog.RefreshAsync(_stopping.Token);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogError(exception, "Reading the DAG folder failed");
        }
    }
}
