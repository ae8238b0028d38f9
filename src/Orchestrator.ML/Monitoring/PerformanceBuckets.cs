using Orchestrator.ML.Models;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Monitoring;

/// <summary>The live metrics of one model version over one time bucket [Start, Start + bucket).</summary>
public sealed record PerformanceBucket(int Version, DateTimeOffset Start, int Count, int Invalid, IReadOnlyDictionary<string, double?> Metrics);

/// <summary>Live performance over time: labelled rows grouped by model version and by time bucket (by when the
/// inference was made), each group's metrics computed as <see cref="LiveMetrics"/> does.</summary>
public static class PerformanceBuckets
{
    /// <summary>The start of the bucket holding <paramref name="at"/>: buckets are aligned to whole multiples of
    /// <paramref name="size"/> since the Unix epoch, in UTC (so 1h buckets start on the hour, 1d at midnight UTC).</summary>
    public static DateTimeOffset StartOf(DateTimeOffset at, TimeSpan size)
    {
        if (size <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "a bucket lasts longer than zero");
        }

        var ticks = at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        // Floor, not truncation: a time before the epoch belongs to the bucket that starts before it.
        var index = ticks >= 0 ? ticks / size.Ticks : ((ticks + 1) / size.Ticks) - 1;
        return DateTimeOffset.UnixEpoch.AddTicks(index * size.Ticks);
    }

    /// <summary>One bucket per version and time bucket that holds at least one row (a bucket without labelled rows is
    /// left out: a gap, not a zero), ordered by start, then version. <paramref name="signatureOf"/> gives a version's
    /// signature; rows of a version it does not know (null) are all invalid.</summary>
    public static IReadOnlyList<PerformanceBucket> Compute(IEnumerable<LabeledInference> rows, Func<int, ModelSignature?> signatureOf, TimeSpan size)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(signatureOf);
        var signatures = new Dictionary<int, ModelSignature?>();
        var buckets = new List<PerformanceBucket>();
        foreach (var group in rows.GroupBy(row => (row.Inference.Version, Start: StartOf(row.Inference.At, size))).OrderBy(g => g.Key.Start).ThenBy(g => g.Key.Version))
        {
            var version = group.Key.Version;
            if (!signatures.TryGetValue(version, out var signature))
            {
                signature = signatureOf(version);
                signatures[version] = signature;
            }

            if (signature is null)
            {
                buckets.Add(new PerformanceBucket(version, group.Key.Start, 0, group.Count(), new Dictionary<string, double?>()));
                continue;
            }

            var metrics = LiveMetrics.Compute(signature, group);
            buckets.Add(new PerformanceBucket(version, group.Key.Start, metrics.Count, metrics.Invalid, metrics.Values));
        }

        return buckets;
    }
}
