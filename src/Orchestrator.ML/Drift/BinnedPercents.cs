using System.Globalization;

namespace Orchestrator.ML.Drift;

/// <summary>Share of each sample per bin: numeric bins have <see cref="Edges"/> (n+1 edges, last bin closed), category
/// bins have <see cref="Labels"/>. These are the histograms a drift report shows behind a JS or PSI score.</summary>
public sealed record BinnedPercents(double[]? Edges, IReadOnlyList<string>? Labels, double[] Reference, double[] Current);

/// <summary>Evidently's binning for the distance tests: a numeric column with more than 20 distinct reference values
/// gets Sturges bins over both samples together; anything else is binned by value. PSI fills empty bins with a tiny
/// share (its log would blow up); Jensen–Shannon does not need to.</summary>
public static class DriftBinning
{
    public const int MaxDistinctForValueBins = 20;

    public static BinnedPercents Numeric(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, bool fillZeroes)
    {
        DriftSamples.RequireFinite(reference, nameof(reference));
        DriftSamples.RequireFinite(current, nameof(current));
        if (CountDistinct(reference, MaxDistinctForValueBins + 1) <= MaxDistinctForValueBins)
        {
            return Categorical(reference.ToArray(), current.ToArray(), fillZeroes);
        }

        var edges = SturgesEdges(reference, current);
        var referencePercents = Histogram(reference, edges);
        var currentPercents = Histogram(current, edges);
        if (fillZeroes)
        {
            FillZeroes(referencePercents);
            FillZeroes(currentPercents);
        }
        return new BinnedPercents(edges, null, referencePercents, currentPercents);
    }

    public static BinnedPercents Categorical<T>(IReadOnlyCollection<T> reference, IReadOnlyCollection<T> current, bool fillZeroes)
        where T : notnull
    {
        return FromCounts(CategoryCounts.Of(reference, current), fillZeroes);
    }

    /// <summary>Category bins from counts already taken (the test that took them reuses them).</summary>
    internal static BinnedPercents FromCounts<T>(CategoryCounts<T> counts, bool fillZeroes)
        where T : notnull
    {
        var referencePercents = counts.Reference.Select(c => (double)c / counts.ReferenceTotal).ToArray();
        var currentPercents = counts.Current.Select(c => (double)c / counts.CurrentTotal).ToArray();
        if (fillZeroes)
        {
            FillZeroes(referencePercents);
            FillZeroes(currentPercents);
        }
        var labels = counts.Categories.Select(c => Convert.ToString(c, CultureInfo.InvariantCulture) ?? "").ToArray();
        return new BinnedPercents(null, labels, referencePercents, currentPercents);
    }

    /// <summary>numpy's <c>histogram_bin_edges(both, "sturges")</c>: ceil(log2(N) + 1) equal-width bins from the smallest
    /// to the largest value of both samples (N = both sizes together).</summary>
    internal static double[] SturgesEdges(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        double first = double.PositiveInfinity, last = double.NegativeInfinity;
        foreach (var v in reference) { first = Math.Min(first, v); last = Math.Max(last, v); }
        foreach (var v in current) { first = Math.Min(first, v); last = Math.Max(last, v); }
        var width = (last - first) / (Math.Log2(reference.Length + current.Length) + 1.0);
        var bins = (int)Math.Ceiling((last - first) / width);
        var edges = new double[bins + 1];
        var step = (last - first) / bins;
        for (var i = 0; i < bins; i++)
            edges[i] = first + (i * step);
        edges[bins] = last;
        return edges;
    }

    /// <summary>Share of the sample in each [edge_i, edge_i+1) bin, the last bin closed on the right (numpy).</summary>
    internal static double[] Histogram(ReadOnlySpan<double> sample, double[] edges)
    {
        var bins = edges.Length - 1;
        var counts = new long[bins];
        foreach (var v in sample)
        {
            var slot = Array.BinarySearch(edges, v);
            // Exact hit on edge k belongs to bin k; otherwise ~slot is the first edge above v, so bin = ~slot − 1.
            var bin = slot >= 0 ? slot : ~slot - 1;
            counts[Math.Clamp(bin, 0, bins - 1)]++;
        }
        var total = (double)sample.Length;
        return [.. counts.Select(c => c / total)];
    }

    /// <summary>Evidently's empty-bin fill: 0.0001, or a millionth of the smallest non-empty share when that is
    /// itself ≤ 0.0001.</summary>
    internal static void FillZeroes(double[] percents)
    {
        var smallest = percents.Where(p => p > 0).DefaultIfEmpty(0).Min();
        var fill = smallest <= 0.0001 ? smallest / 1e6 : 0.0001;
        for (var i = 0; i < percents.Length; i++)
        {
            if (percents[i] == 0)
                percents[i] = fill;
        }
    }

    internal static int CountDistinct(ReadOnlySpan<double> sample, int stopAt)
    {
        var seen = new HashSet<double>();
        foreach (var v in sample)
        {
            if (seen.Add(v) && seen.Count >= stopAt)
                break;
        }
        return seen.Count;
    }
}
