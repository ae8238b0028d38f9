namespace Orchestrator.Storage.Records;

/// <summary>Where a record came from in the orchestrator: the DAG run and the task try that made it. Null fields: made
/// outside a run (the CLI, a test).</summary>
public sealed record RunLineage(string? DagId, string? RunId, string? TaskId, int? TryNumber);

/// <summary>One dataset version, addressed by the SHA-256 of its bytes: the same bytes are the same version however
/// often and under whatever name they are ingested. Schema and profile are JSON written by Orchestrator.ML.</summary>
public sealed record DatasetVersionRecord(
    string Digest,
    string Name,
    string Source,
    long SizeBytes,
    long Rows,
    string SchemaJson,
    string ProfileJson,
    DateTimeOffset CreatedAt,
    RunLineage CreatedBy);

/// <summary>A registered model (MLflow's RegisteredModel): a name that numbered versions belong to.</summary>
public sealed record RegisteredModelRecord(
    string Name,
    string? Description,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyDictionary<string, int> Aliases);

/// <summary>One model version with its lineage: the run and try that registered it, the dataset it was trained on,
/// the tracking run holding its params and metrics, and the artifact (by digest) holding the model package.</summary>
public sealed record ModelVersionRecord(
    string Name,
    int Version,
    string? Description,
    IReadOnlyDictionary<string, string> Tags,
    string ArtifactDigest,
    string SignatureJson,
    string? DatasetDigest,
    string? TrackingRunId,
    string ParamsJson,
    string MetricsJson,
    DateTimeOffset CreatedAt,
    RunLineage CreatedBy);

/// <summary>What to register: a model version's fields before the store numbers it.</summary>
public sealed record NewModelVersion(
    string Name,
    string ArtifactDigest,
    string SignatureJson,
    string? DatasetDigest,
    string? TrackingRunId,
    string ParamsJson,
    string MetricsJson,
    RunLineage CreatedBy,
    string? Description = null,
    IReadOnlyDictionary<string, string>? Tags = null);

/// <summary>One move of an alias: from which version (null: newly set) to which (null: deleted), when, by whom
/// (a user, or <c>dag:RUN/TASK#TRY</c>), and why.</summary>
public sealed record AliasMoveRecord(
    string Name,
    string Alias,
    int? FromVersion,
    int? ToVersion,
    DateTimeOffset MovedAt,
    string MovedBy,
    string? Reason);

/// <summary>An experiment (MLflow's): a named group of tracking runs.</summary>
public sealed record ExperimentRecord(string Id, string Name, DateTimeOffset CreatedAt, IReadOnlyDictionary<string, string> Tags);

/// <summary>Tracking run status, as MLflow names them.</summary>
public enum TrackingRunStatus
{
    Running,
    Finished,
    Failed,
    Killed,
}

/// <summary>One metric value; a metric logged several times keeps every value, ordered by step then time.</summary>
public sealed record MetricPoint(string Key, double Value, long Step, DateTimeOffset At);

/// <summary>A dataset a tracking run used, and how (<c>training</c>, <c>evaluation</c>, <c>holdout</c>).</summary>
public sealed record DatasetInputRecord(string Digest, string Context);

/// <summary>A file a tracking run logged: its path within the run and the artifact store digest of its bytes.</summary>
public sealed record TrackedArtifactRecord(string Path, string Digest, long SizeBytes);

/// <summary>One tracking run (MLflow's Run): params, metrics with history, tags, artifacts and dataset inputs, linked
/// to the DAG run and try that made it.</summary>
public sealed record TrackingRunRecord(
    string RunId,
    string ExperimentId,
    string Name,
    TrackingRunStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    RunLineage CreatedBy,
    IReadOnlyDictionary<string, string> Params,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<MetricPoint> Metrics,
    IReadOnlyList<DatasetInputRecord> Datasets,
    IReadOnlyList<TrackedArtifactRecord> Artifacts);
