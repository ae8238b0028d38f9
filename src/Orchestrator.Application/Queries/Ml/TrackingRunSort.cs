using System.Globalization;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Queries.Ml;

/// <summary>How an experiment's runs are ordered: by <c>startedAt</c> (the default, newest first), <c>name</c>,
/// <c>metrics.NAME</c> (each run's latest value) or <c>params.NAME</c> (numerically when both values are numbers,
/// else as text), <c>asc</c> or <c>desc</c>. Runs without the metric or param come last in either order; ties keep
/// the newest run first. Sorted in memory: the store returns an experiment's runs with their metric histories in one
/// read, and the latest value of a metric is a per-run window the two SQL dialects would each need written.</summary>
public sealed record TrackingRunSort(TrackingRunSortKey Key, string? Name, bool Descending)
{
    public static TrackingRunSort Default { get; } = new(TrackingRunSortKey.StartedAt, null, Descending: true);

    /// <summary>The <c>sort</c> and <c>order</c> query parameters (null: the defaults); anything else is Invalid
    /// naming the parameter.</summary>
    public static TrackingRunSort Parse(string? sort, string? order)
    {
        var (key, name) = sort switch
        {
            null or "" or "startedAt" => (TrackingRunSortKey.StartedAt, (string?)null),
            "name" => (TrackingRunSortKey.Name, null),
            _ when sort.StartsWith("metrics.", StringComparison.Ordinal) && sort.Length > "metrics.".Length => (TrackingRunSortKey.Metric, sort["metrics.".Length..]),
            _ when sort.StartsWith("params.", StringComparison.Ordinal) && sort.Length > "params.".Length => (TrackingRunSortKey.Param, sort["params.".Length..]),
            _ => throw ApplicationProblemException.Invalid(
                $"sort must be startedAt, name, metrics.NAME or params.NAME, not '{sort}'", "sort"),
        };
        var descending = order switch
        {
            null or "" => key == TrackingRunSortKey.StartedAt,
            "asc" => false,
            "desc" => true,
            _ => throw ApplicationProblemException.Invalid($"order must be asc or desc, not '{order}'", "order"),
        };
        return new TrackingRunSort(key, name, descending);
    }

    public IReadOnlyList<TrackingRunRecord> Apply(IReadOnlyList<TrackingRunRecord> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var newestFirst = Comparer<TrackingRunRecord>.Create((a, b) =>
        {
            var byStart = b.StartedAt.CompareTo(a.StartedAt);
            return byStart != 0 ? byStart : string.CompareOrdinal(a.RunId, b.RunId);
        });
        return Key switch
        {
            TrackingRunSortKey.StartedAt => Descending ? [.. runs.Order(newestFirst)] : [.. runs.Order(newestFirst).Reverse()],
            TrackingRunSortKey.Name => [.. runs.Order(Directed(Comparer<TrackingRunRecord>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name)), newestFirst))],
            TrackingRunSortKey.Metric => ByValue(runs, run => LatestMetric(run, Name!) is { } value && !double.IsNaN(value) ? new SortValue(value, null) : null, newestFirst),
            _ => ByValue(runs, run => run.Params.TryGetValue(Name!, out var text) ? SortValue.Of(text) : null, newestFirst),
        };
    }

    /// <summary>The metric's latest value: the store orders a run's metrics by key, step, then time.</summary>
    public static double? LatestMetric(TrackingRunRecord run, string key)
    {
        ArgumentNullException.ThrowIfNull(run);
        double? latest = null;
        foreach (var point in run.Metrics)
        {
            if (point.Key == key)
            {
                latest = point.Value;
            }
        }

        return latest;
    }

    private IReadOnlyList<TrackingRunRecord> ByValue(IReadOnlyList<TrackingRunRecord> runs, Func<TrackingRunRecord, SortValue?> valueOf, Comparer<TrackingRunRecord> tie)
    {
        var keyed = runs.Select(run => (Run: run, Value: valueOf(run))).ToList();
        var present = keyed.Where(item => item.Value is not null)
            .Order(Comparer<(TrackingRunRecord Run, SortValue? Value)>.Create((a, b) =>
            {
                var byValue = a.Value!.CompareTo(b.Value!);
                return byValue != 0 ? (Descending ? -byValue : byValue) : tie.Compare(a.Run, b.Run);
            }))
            .Select(item => item.Run);
        var absent = keyed.Where(item => item.Value is null).Select(item => item.Run).Order(tie);
        return [.. present, .. absent];
    }

    private Comparer<TrackingRunRecord> Directed(Comparer<TrackingRunRecord> primary, Comparer<TrackingRunRecord> tie) =>
        Comparer<TrackingRunRecord>.Create((a, b) =>
        {
            var first = primary.Compare(a, b);
            return first != 0 ? (Descending ? -first : first) : tie.Compare(a, b);
        });

    /// <summary>A number, or text when the value is not one; numbers sort before text.</summary>
    private sealed record SortValue(double? Number, string? Text) : IComparable<SortValue>
    {
        public static SortValue Of(string text) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && !double.IsNaN(number)
                ? new SortValue(number, null)
                : new SortValue(null, text);

        public int CompareTo(SortValue? other) =>
            other is null ? 1
            : Number is { } mine && other.Number is { } theirs ? mine.CompareTo(theirs)
            : Number is not null ? -1
            : other.Number is not null ? 1
            : string.CompareOrdinal(Text, other.Text);
    }
}

public enum TrackingRunSortKey
{
    StartedAt,
    Name,
    Metric,
    Param,
}
