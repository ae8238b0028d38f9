using System.Globalization;
using Orchestrator.Core.Durations;
using Orchestrator.ML.Models;
using Orchestrator.ML.Monitoring;
using Orchestrator.Storage;
using Orchestrator.Storage.Ml;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Queries.Ml;

/// <summary>Live performance of a model as the performance page and API read it.</summary>
public interface IPerformanceQueries
{
    /// <summary>The model's labelled rows in [<paramref name="from"/>, <paramref name="to"/>) (ISO 8601 times; default the
    /// last 24 hours) as metrics per version per <paramref name="bucket"/> (a duration such as "1h", default 1h).</summary>
    Task<ModelPerformanceView> GetAsync(string name, string? from, string? to, string? bucket, CancellationToken cancellationToken);
}

internal sealed class PerformanceQueries(IMetadataStore store, TimeProvider time) : IPerformanceQueries
{
    /// <summary>More buckets than a chart can show is a mistake in the query, not a request for a bigger answer.</summary>
    public const int MaxBuckets = 1000;

    /// <summary>Labelled rows read for one answer at most (the store's window limit).</summary>
    public const int MaxRows = 100_000;

    private static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);
    private const string DefaultBucket = "1h";

    public async Task<ModelPerformanceView> GetAsync(string name, string? from, string? to, string? bucket, CancellationToken cancellationToken)
    {
        if (MlNames.ModelNameProblem(name) is { } problem)
        {
            throw ApplicationProblemException.Invalid(problem, "name");
        }

        var size = Bucket(bucket ?? DefaultBucket);
        var end = Time(to, "to") ?? time.GetUtcNow();
        var start = Time(from, "from") ?? end - DefaultWindow;
        if (start >= end)
        {
            throw ApplicationProblemException.Invalid($"from ({Show(start)}) must be before to ({Show(end)})", "from");
        }

        var buckets = Math.Ceiling((end - start) / size);
        if (buckets > MaxBuckets)
        {
            throw ApplicationProblemException.Invalid(
                $"the window from {Show(start)} to {Show(end)} spans {buckets.ToString(CultureInfo.InvariantCulture)} buckets of {bucket ?? DefaultBucket}; at most {MaxBuckets} (choose a larger bucket or a shorter window)",
                "bucket");
        }

        _ = await store.Models.GetModelAsync(name, cancellationToken) ?? throw ApplicationProblemException.NotFound($"no model '{name}'");
        var versions = await store.Models.ListVersionsAsync(name, cancellationToken);
        var signatures = versions.ToDictionary(version => version.Version, version => ReadSignature(version.SignatureJson));
        var metric = versions.Count > 0 && signatures[versions[0].Version] is { } newest ? LiveMetrics.HeadlineOf(newest.Task) : null;

        var rows = await store.Inference.ReadLabeledAsync(new InferenceWindow(name, start, end, Limit: MaxRows), cancellationToken);
        var computed = PerformanceBuckets.Compute(rows, version => signatures.GetValueOrDefault(version), size);
        return new ModelPerformanceView(name, metric, start, end, bucket ?? DefaultBucket, rows.Count >= MaxRows,
            [.. computed.Select(b => new PerformanceBucketView(b.Version, b.Start, b.Count, b.Invalid, b.Metrics))]);
    }

    private static TimeSpan Bucket(string text) =>
        DurationParser.TryParse(text, out var span) && span > TimeSpan.Zero
            ? span
            : throw ApplicationProblemException.Invalid($"bucket must be a duration such as \"1h\", \"15m\" or \"1d\", not '{text}'", "bucket");

    private static DateTimeOffset? Time(string? text, string field)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUniversalTime()
            : throw ApplicationProblemException.Invalid($"{field} must be an ISO 8601 time such as 2026-11-25T10:00:00Z, not '{text}'", field);
    }

    /// <summary>A version's signature; null when it has none readable (its rows are then counted invalid).</summary>
    private static ModelSignature? ReadSignature(string json)
    {
        try
        {
            return ModelSignatureJson.FromJson(json);
        }
        catch (Exception bad) when (bad is System.Text.Json.JsonException or InvalidDataException or ArgumentException)
        {
            return null;
        }
    }

    private static string Show(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);
}
