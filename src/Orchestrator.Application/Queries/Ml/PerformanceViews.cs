namespace Orchestrator.Application.Queries.Ml;

/// <summary><c>GET /api/v1/models/{name}/performance</c>: the live metrics of labelled rows per version per time
/// bucket. <see cref="Metric"/> is the headline metric of the model's task (r2, accuracy, microAccuracy; null when the
/// newest version's signature says no task). <see cref="Truncated"/>: the window held more labelled rows than one answer
/// reads, so the newest are missing; narrow the window.</summary>
public sealed record ModelPerformanceView(
    string Model, string? Metric, DateTimeOffset From, DateTimeOffset To, string Bucket, bool Truncated, IReadOnlyList<PerformanceBucketView> Buckets);

/// <summary>One version over one bucket [Start, Start + bucket): <see cref="Count"/> rows compared, <see cref="Invalid"/>
/// rows whose prediction or label could not be compared, each metric (null when the rows do not define it).</summary>
public sealed record PerformanceBucketView(int Version, DateTimeOffset Start, int Count, int Invalid, IReadOnlyDictionary<string, double?> Metrics);
