namespace Orchestrator.Application.Queries.Ml;

/// <summary>A dataset version as listed under one of its names: <see cref="Version"/> is its content digest,
/// <see cref="Columns"/> how many columns it has, <see cref="CreatedAt"/> when it was recorded under this name.</summary>
public sealed record DatasetSummary(string Name, string Version, long Rows, int Columns, DateTimeOffset CreatedAt, string? RunId);

/// <summary>One dataset version with its schema and the profile <c>ml.ingest</c> computed.</summary>
public sealed record DatasetVersionDetail(
    string Name,
    string Version,
    long Rows,
    long SizeBytes,
    string Source,
    DateTimeOffset CreatedAt,
    string? DagId,
    string? RunId,
    string? TaskId,
    IReadOnlyList<DatasetColumnView> Columns,
    DatasetProfileView Profile);

public sealed record DatasetColumnView(string Name, string Kind);

public sealed record DatasetProfileView(long Rows, IReadOnlyList<ColumnProfileView> Columns);

/// <summary>One column's profile. Numeric columns with values carry min…std, <see cref="Quantiles"/> and
/// <see cref="Histogram"/>; categorical ones <see cref="TopValues"/> and <see cref="OtherCount"/>. <see cref="Exact"/>
/// false: quantiles and histogram are estimates, or the top counts lower bounds.</summary>
public sealed record ColumnProfileView(
    string Name,
    string Kind,
    long Count,
    long Missing,
    long? Distinct,
    bool Exact,
    double? Min,
    double? Max,
    double? Mean,
    double? Std,
    IReadOnlyDictionary<string, double>? Quantiles,
    HistogramView? Histogram,
    IReadOnlyList<TopValueView>? TopValues,
    long? OtherCount);

/// <summary>Equal-width bins: one more edge than counts; a bin holds [edge, next edge), the last includes max.</summary>
public sealed record HistogramView(IReadOnlyList<double> Edges, IReadOnlyList<long> Counts);

public sealed record TopValueView(string Value, long Count);
