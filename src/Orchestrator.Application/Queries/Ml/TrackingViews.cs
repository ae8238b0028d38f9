namespace Orchestrator.Application.Queries.Ml;

/// <summary>An experiment as the experiments list shows it.</summary>
public sealed record ExperimentSummary(string ExperimentId, string Name, int RunCount, DateTimeOffset? LastRunAt);

/// <summary>A tracking run: params and tags (sensitive keys masked) and each metric's latest value (by step, then
/// time; NaN as null since JSON has no NaN), linked to the DAG run and task that made it.</summary>
public record TrackingRunView(
    string TrackingRunId,
    string ExperimentId,
    string Name,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyDictionary<string, string> Params,
    IReadOnlyDictionary<string, double?> Metrics,
    IReadOnlyDictionary<string, string> Tags,
    string? DagId,
    string? RunId,
    string? TaskId);

/// <summary>A tracking run with every value each metric took, by step then time.</summary>
public sealed record TrackingRunDetail(
    string TrackingRunId,
    string ExperimentId,
    string Name,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    IReadOnlyDictionary<string, string> Params,
    IReadOnlyDictionary<string, double?> Metrics,
    IReadOnlyDictionary<string, string> Tags,
    string? DagId,
    string? RunId,
    string? TaskId,
    IReadOnlyDictionary<string, IReadOnlyList<MetricHistoryPoint>> MetricHistory)
    : TrackingRunView(TrackingRunId, ExperimentId, Name, Status, StartedAt, EndedAt, Params, Metrics, Tags, DagId, RunId, TaskId);

public sealed record MetricHistoryPoint(long Step, double? Value, DateTimeOffset At);
