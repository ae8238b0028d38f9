using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>Experiment tracking (MLflow's): experiments, and runs with params, metrics, tags, artifacts and datasets.
/// Experiment ids are increasing integers as strings ("1", "2", …; no "0"/Default experiment is made implicitly);
/// run ids are 32 lowercase hex characters. Writes to an unknown run throw <see cref="KeyNotFoundException"/>.</summary>
public interface ITrackingStore
{
    /// <summary>The experiment of that name, created when missing (race-safe: concurrent callers get one experiment).</summary>
    Task<ExperimentRecord> GetOrCreateExperimentAsync(string name, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>By id or, when no id matches, by name; null when neither does.</summary>
    Task<ExperimentRecord?> FindExperimentAsync(string idOrName, CancellationToken cancellationToken);

    Task<IReadOnlyList<ExperimentRecord>> ListExperimentsAsync(CancellationToken cancellationToken);

    /// <summary>One page of the experiments by id, each with its run count and newest run's start, and how many
    /// experiments there are: counted in the store, without reading the runs.</summary>
    Task<(IReadOnlyList<ExperimentSummaryRecord> Items, int Total)> ListExperimentSummariesAsync(int offset, int limit, CancellationToken cancellationToken);

    /// <summary>Starts a run in the experiment with its params and tags, all in one transaction.
    /// <see cref="KeyNotFoundException"/> for an unknown experiment.</summary>
    Task<TrackingRunRecord> StartRunAsync(string experimentId, string name, RunLineage createdBy, IReadOnlyDictionary<string, string> parameters,
        IReadOnlyDictionary<string, string> tags, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Appends metric values (one transaction). Throws <see cref="KeyNotFoundException"/> for an unknown run.
    /// NaN is kept (read back as NaN).</summary>
    Task LogMetricsAsync(string runId, IReadOnlyList<MetricPoint> metrics, CancellationToken cancellationToken);

    /// <summary>Sets tags (a null value removes one).</summary>
    Task SetTagsAsync(string runId, IReadOnlyDictionary<string, string?> tags, CancellationToken cancellationToken);

    /// <summary>Records that the run used the dataset in that context (once per digest and context).</summary>
    Task LogDatasetInputAsync(string runId, DatasetInputRecord input, CancellationToken cancellationToken);

    /// <summary>Records a file of the run; logging the same path again replaces it.</summary>
    Task LogArtifactAsync(string runId, TrackedArtifactRecord artifact, CancellationToken cancellationToken);

    /// <summary>Ends the run with a status (not <see cref="TrackingRunStatus.Running"/>).</summary>
    Task EndRunAsync(string runId, TrackingRunStatus status, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The run with everything logged to it: metrics ordered by key, then step, then time.</summary>
    Task<TrackingRunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>The experiment's runs, newest first.</summary>
    Task<IReadOnlyList<TrackingRunRecord>> ListRunsAsync(string experimentId, CancellationToken cancellationToken);
}

/// <summary>An experiment with how many runs it holds and when the newest of them started (null: none yet).</summary>
public sealed record ExperimentSummaryRecord(ExperimentRecord Experiment, int RunCount, DateTimeOffset? LastRunAt);
