using Microsoft.Extensions.Logging;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Dispatch;
using Orchestrator.Engine.Runs;
using Orchestrator.Engine.Scheduling;
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
    private readonly IMetadataStore _store;
    private readonly DagCatalog _catalog;
    private readonly RunCoordinator _coordinator;
    private readonly HangfireTaskDispatcher _dispatcher;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _pickup = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private QuartzRunScheduler? _scheduler;
    private FolderWatcher? _watcher;
    private ITimer? _pickupTimer;

    private EmbeddedEngine(IMetadataStore store, DagCatalog catalog, RunCoordinator coordinator, HangfireTaskDispatcher dispatcher, ILogger logger)
    {
        _store = store;
        _catalog = catalog;
        _coordinator = coordinator;
        _dispatcher = dispatcher;
        _logger = logger;
    }

    public DagCatalog Catalog => _catalog;

    public RunCoordinator Coordinator => _coordinator;

    public static async Task<EmbeddedEngine> StartAsync(EngineOptions options, IMetadataStore store, TaskTypeRegistry registry, TimeProvider time, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registry);
        var loader = DagLoaders.CreateFolderLoader(new DagLoaderOptions { KnownTaskTypes = registry.KnownTypes });
        var catalog = new DagCatalog(options.DagsFolder, loader, store, time);
        await catalog.RefreshAsync(cancellationToken);
        var coordinator = new RunCoordinator(store, catalog.Versions, time, logger);
        var worker = new TaskWorker(coordinator, store, registry, time, $"{Environment.MachineName}:{Environment.ProcessId}");
        var dispatcher = new HangfireTaskDispatcher(worker, options.Workers, logger: logger);
        coordinator.Attach(dispatcher);
        var engine = new EmbeddedEngine(store, catalog, coordinator, dispatcher, logger);
        coordinator.RunFinished += (runId, state) =>
        {
            logger.LogInformation("Run {RunId} finished: {State}", runId, state.ToName());
            _ = engine.StartQueuedRunsAsync();
        };

        var runs = new RunFactory(store, time);
        await engine.ResumeAsync(cancellationToken);
        foreach (var dag in catalog.Current.Values.Where(d => d.Definition.Schedule is not null))
        {
            await runs.CreateDueRunsAsync(dag, cancellationToken); // what was due while the engine was down
        }

        engine._scheduler = await QuartzRunScheduler.StartAsync(catalog, runs, engine.StartQueuedRunsAsync, time, cancellationToken);
        catalog.Changed += () => _ = engine._scheduler.SyncAsync(engine._stopping.Token);
        engine._watcher = new FolderWatcher(options.DagsFolder, () => _ = engine.RefreshAsync(), time, TimeSpan.FromMilliseconds(300), options.RescanPeriod);
        engine._pickupTimer = time.CreateTimer(_ => _ = engine.StartQueuedRunsAsync(), null, TimeSpan.Zero, options.RunPickupPeriod);
        logger.LogInformation("Engine started: {Dags} DAG(s), {Errors} import error(s), {Workers} workers",
            catalog.Current.Count, catalog.ImportErrors.Count, options.Workers);
        return engine;
    }

    /// <summary>Starts queued runs, oldest first, while their DAG is under its max active runs.</summary>
    public async Task StartQueuedRunsAsync()
    {
        if (!await _pickup.WaitAsync(0))
        {
            return; // a pickup is already going on; it will see these runs
        }

        try
        {
            var queued = await _store.Runs.ListAsync(new RunQuery(State: DagRunState.Queued, Limit: 1000), _stopping.Token);
            foreach (var run in queued.Reverse())
            {
                var dag = await _catalog.GetVersionAsync(run.DagId, run.DagVersion, _stopping.Token);
                if (dag is null)
                {
                    _logger.LogWarning("Run {RunId} needs a version of {DagId} that is neither loaded nor stored", run.RunId, run.DagId);
                    continue;
                }

                var running = await _store.Runs.ListAsync(new RunQuery(run.DagId, DagRunState.Running, dag.Definition.MaxActiveRuns), _stopping.Token);
                if (running.Count >= dag.Definition.MaxActiveRuns)
                {
                    continue;
                }

                if (await _coordinator.StartAsync(run.RunId, _stopping.Token))
                {
                    _logger.LogInformation("Run {RunId} of {DagId} started", run.RunId, run.DagId);
                }
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogError(exception, "Starting queued runs failed");
        }
        finally
        {
            _pickup.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _pickupTimer?.Dispose();
        _watcher?.Dispose();
        if (_scheduler is not null)
        {
            await _scheduler.DisposeAsync();
        }

        _dispatcher.Dispose();
        await _coordinator.StopAsync(); // what the workers finished is recorded before the store closes
        _stopping.Dispose();
        _pickup.Dispose();
    }

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        foreach (var run in await _store.Runs.ListAsync(new RunQuery(State: DagRunState.Running, Limit: 10_000), cancellationToken))
        {
            if (await _catalog.GetVersionAsync(run.DagId, run.DagVersion, cancellationToken) is not null
                && await _coordinator.StartAsync(run.RunId, cancellationToken))
            {
                _logger.LogInformation("Run {RunId} of {DagId} resumed", run.RunId, run.DagId);
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
