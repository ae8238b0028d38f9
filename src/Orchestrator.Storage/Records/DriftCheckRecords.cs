namespace Orchestrator.Storage.Records;

/// <summary>What a drift check compared: the data (ml.drift) or the live metric (ml.performance).</summary>
public static class DriftCheckKinds
{
    public const string Data = "data";
    public const string Performance = "performance";

    public static IReadOnlyList<string> All { get; } = [Data, Performance];
}

/// <summary>A drift check to record. <paramref name="Model"/> is null for a check between two datasets;
/// <paramref name="ReportDigest"/> names the report artifact; <paramref name="DetailsJson"/> (a JSON object) is what
/// a performance check compared (metric, live and registered values, threshold).</summary>
public sealed record NewDriftCheck(
    string Kind,
    string? Model,
    int? Version,
    DateTimeOffset At,
    RunLineage CreatedBy,
    bool Drifted,
    double Share,
    double ShareThreshold,
    IReadOnlyList<string> DriftedFeatures,
    long ReferenceRows,
    long CurrentRows,
    string? ReportDigest,
    string? DetailsJson = null);

/// <summary>A recorded drift check.</summary>
public sealed record DriftCheckRecord(
    long Id,
    string Kind,
    string? Model,
    int? Version,
    DateTimeOffset At,
    RunLineage CreatedBy,
    bool Drifted,
    double Share,
    double ShareThreshold,
    IReadOnlyList<string> DriftedFeatures,
    long ReferenceRows,
    long CurrentRows,
    string? ReportDigest,
    string? DetailsJson);
