using System.Text.Json;

namespace Orchestrator.Application.Queries.Ml;

/// <summary>A registered model as the models list shows it (docs/rest-api.md).</summary>
public sealed record ModelSummary(string Name, string? Description, int? LatestVersion, IReadOnlyDictionary<string, int> Aliases, DateTimeOffset UpdatedAt);

/// <summary>A model with every version, newest first.</summary>
public sealed record ModelDetail(string Name, string? Description, IReadOnlyDictionary<string, int> Aliases, IReadOnlyList<ModelVersionView> Versions);

/// <summary>One version: its metrics, params (sensitive keys masked) and signature as registered, and where it came from.</summary>
public sealed record ModelVersionView(
    string Name,
    int Version,
    DateTimeOffset CreatedAt,
    IReadOnlyList<string> Aliases,
    JsonElement Metrics,
    JsonElement Params,
    JsonElement Signature,
    ModelLineageView Lineage);

/// <summary>The DAG run and task try that registered a version, the dataset version (name and digest) it learned from,
/// and the tracking run holding its params and metrics. Null fields: not known (registered outside a run).</summary>
public sealed record ModelLineageView(
    string? DagId,
    string? RunId,
    string? TaskId,
    int? TryNumber,
    string? DatasetName,
    string? DatasetVersion,
    string? TrackingRunId);

/// <summary>One move of an alias: <see cref="Version"/> null when it was deleted, <see cref="PreviousVersion"/> null
/// when it was newly set.</summary>
public sealed record AliasHistoryEntry(string Alias, int? Version, int? PreviousVersion, string By, string? Reason, DateTimeOffset At);

/// <summary>The outcome of an alias move: the history entry now at the top for that alias, and whether this call
/// wrote it (false: the alias already pointed at the version and nothing was recorded).</summary>
public sealed record AliasMoveResult(AliasHistoryEntry Entry, bool Moved);
