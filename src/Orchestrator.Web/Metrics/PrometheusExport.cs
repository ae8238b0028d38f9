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
        Registry.AddBeforeCollectCallback(ReadStoreAsync);

        _bridge = new MeterBridge(meters, Registry);
    }

    public CollectorRegistry Registry { get; } = Prometheus.Metrics.NewCustomRegistry();

    public void Dispose() => _bridge.Dispose();

    private async Task ReadStoreAsync(CancellationToken cancellationToken)
    {
        StateCounts counts;
        try
        {
            counts = await _counts.GetAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The engine's own metrics still answer; the store's gauges keep their last values and store_up says why.
            _storeUp.Set(0);
            LogStoreFailed(exception);
            return;
        }

        _storeUp.Set(1);
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
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "/metrics: reading the metadata store failed; its gauges keep their last values")]
    private partial void LogStoreFailed(Exception exception);
}
