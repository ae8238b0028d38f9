using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.States;
using Orchestrator.Engine.Telemetry;
using Orchestrator.Storage;
using Prometheus;

namespace Orchestrator.Web.Metrics;

/// <summary>This app's Prometheus registry: the engine's and ASP.NET Core's request instruments of THIS host
/// (<see cref="MeterBridge"/>; prometheus-net's default registry is process-wide, which would mix two hosts in one
/// process), plus gauges read from the store at scrape time.</summary>
internal sealed partial class PrometheusExport : IDisposable
{
    private readonly MeterBridge _bridge;
    private readonly StoreCountsCache _counts;
    private readonly ILogger _logger;
    private readonly Gauge _runs;
    private readonly Gauge _tasks;
    private readonly Gauge _activeDags;
    private readonly Gauge _importErrors;
    private readonly Gauge _storeUp;
    private readonly Gauge _poolSlots;
    private HashSet<string> _poolsSeen = new(StringComparer.Ordinal);

    public PrometheusExport(IMeterFactory meters, StoreCountsCache counts, ILogger<PrometheusExport> logger)
    {
        _counts = counts;
        _logger = logger;
        var factory = Prometheus.Metrics.WithCustomRegistry(Registry);
        _runs = factory.CreateGauge("orchestrator_dag_runs", "DAG runs in the store, by state.", "state");
        _tasks = factory.CreateGauge("orchestrator_task_instances", "Task instances in the store, by state.", "state");
        _activeDags = factory.CreateGauge("orchestrator_dags_active", "DAGs whose file is present in the DAG folder.");
        _importErrors = factory.CreateGauge("orchestrator_import_errors", "Import errors recorded for DAG files.");
        _storeUp = factory.CreateGauge("orchestrator_store_up", "1 when the last read of the metadata store answered, else 0.");
        _poolSlots = factory.CreateGauge("orchestrator_pool_slots",
            "Slots of each pool: total, running and queued (taken), open (negative when shrunk below its use), waiting (asked for by tasks in scheduled).", "pool", "state");
        Registry.AddBeforeCollectCallback(ReadStoreAsync);

        _bridge = new MeterBridge(meters, Registry);
    }

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public void Dispose() => _bridge.Dispose();

    private async Task ReadStoreAsync(CancellationToken cancellationToken)
    {
        StoreSnapshot snapshot;
        try
        {
            snapshot = await _counts.GetAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The engine's own metrics still answer; the store's gauges keep their last values and store_up says why.
            _storeUp.Set(0);
            LogStoreFailed(exception);
            return;
        }

        _storeUp.Set(1);
        var counts = snapshot.Counts;
        foreach (var state in Enum.GetValues<DagRunState>())
        {
            _runs.WithLabels(state.ToName()).Set(counts.Runs.GetValueOrDefault(state));
        }

        foreach (var state in Enum.GetValues<TaskInstanceState>())
        {
            _tasks.WithLabels(state.ToName()).Set(counts.TaskInstances.GetValueOrDefault(state));
        }

        _activeDags.Set(counts.ActiveDags);
        _importErrors.Set(counts.ImportErrors);
        SetPools(snapshot.Pools);
    }

    /// <summary>One series per pool and state; a deleted pool's series go away rather than keep their last values.</summary>
    private void SetPools(IReadOnlyList<Storage.Records.PoolRecord> pools)
    {
        var now = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pool in pools)
        {
            now.Add(pool.Name);
            _poolSlots.WithLabels(pool.Name, "total").Set(pool.Slots);
            _poolSlots.WithLabels(pool.Name, "running").Set(pool.Running);
            _poolSlots.WithLabels(pool.Name, "queued").Set(pool.Queued);
            _poolSlots.WithLabels(pool.Name, "open").Set(pool.Open);
            _poolSlots.WithLabels(pool.Name, "waiting").Set(pool.Waiting);
        }

        foreach (var gone in _poolsSeen.Where(name => !now.Contains(name)))
        {
            foreach (var state in new[] { "total", "running", "queued", "open", "waiting" })
            {
                _poolSlots.RemoveLabelled(gone, state);
            }
        }

        _poolsSeen = now;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "/metrics: reading the metadata store failed; its gauges keep their last values")]
    private partial void LogStoreFailed(Exception exception);
}
