namespace Orchestrator.Storage;

/// <summary>The orchestrator's own state, in one database: its role stores, and the one-transaction batch the
/// engine applies when a task finishes.</summary>
public interface IMetadataStore : IAsyncDisposable
{
    IDagStore Dags { get; }

    IRunStore Runs { get; }

    ITaskInstanceStore TaskInstances { get; }

    ITaskLogStore Logs { get; }

    ITaskOutputStore Outputs { get; }

    /// <summary>Variables, values encrypted by the caller (Orchestrator.Secrets).</summary>
    IVariableStore Variables { get; }

    /// <summary>Connections, encrypted by the caller (Orchestrator.Secrets).</summary>
    IConnectionStore Connections { get; }

    /// <summary>Dataset versions (ml.ingest).</summary>
    IDatasetStore Datasets { get; }

    /// <summary>Registered models, versions and aliases.</summary>
    IModelRegistryStore Models { get; }

    /// <summary>Experiments and tracking runs.</summary>
    ITrackingStore Tracking { get; }

    /// <summary>Users and API tokens (access control).</summary>
    IUserStore Users { get; }

    /// <summary>Drift, dataset and dagSucceeded events (an outbox the engine delivers).</summary>
    IEventStore Events { get; }

    /// <summary>The dashboard's bulk reads (grid, DAG list, run pages).</summary>
    IDashboardReadStore Dashboard { get; }

    /// <summary>Runs and task instances by state, active DAGs, import errors (for /metrics and /health).</summary>
    IStateCountStore Counts { get; }

    /// <summary>Verdicts of ml.drift and ml.performance.</summary>
    IDriftCheckStore DriftChecks { get; }

    /// <summary>Alerts (callbacks, notify tasks) and their delivery: an outbox the dispatcher sends.</summary>
    IAlertStore Alerts { get; }

    /// <summary>What model serving scored (sampled) and the labels that arrived for it.</summary>
    IInferenceLogStore Inference { get; }

    /// <summary>Named leases: which scheduler drives a run, who does a singleton duty, one engine per home.</summary>
    ILeaseStore Leases { get; }

    /// <summary>Worker processes, their heartbeats and their tries' leases.</summary>
    IWorkerStore Workers { get; }

    /// <summary>Finished tries reported by workers, until the run's driver records them.</summary>
    ITryReportStore TryReports { get; }

    /// <summary>Pools: cluster-wide slot limits and the admission of the task instances waiting for them.</summary>
    IPoolStore Pools { get; }

    /// <summary>Operators' clear and mark requests for runs a cluster's scheduler drives.</summary>
    IRunChangeRequestStore RunChanges { get; }

    /// <summary>Wake-ups between the processes sharing this store.</summary>
    IStoreSignals Signals { get; }

    Task<BatchResult> ApplyAsync(StateChangeBatch batch, CancellationToken cancellationToken);

    /// <summary>The schema versions applied, oldest first.</summary>
    Task<IReadOnlyList<int>> AppliedMigrationsAsync(CancellationToken cancellationToken);
}
