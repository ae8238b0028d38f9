namespace Orchestrator.ML.Data.Profiling;

/// <summary>Quantiles and histograms of a numeric column, either exactly from its distinct values with their counts or
/// approximately from a <see cref="TDigest"/>.</summary>
internal static class NumericDistribution
{
    /// <summary>Sorts and merges (value, count) pairs: the exact distribution of a low-cardinality column.</summary>
    public static (double Value, long Count)[] Merge(IEnumerable<(double Value, long Count)> pairs)
    {
        var sorted = pairs.OrderBy(pair => pair.Value).ToList();
        var merged = new List<(double, long)>(sorted.Count);
        foreach (var (value, count) in sorted)
        {
            if (merged.Count > 0 && merged[^1].Item1 == value)
            {
                merged[^1] = (value, merged[^1].Item2 + count);
            }
            else
            {
                merged.Add((value, count));
            }
        }

        return [.. merged];
    }

    /// <summary>Quantile q of an exact distribution, interpolating linearly between order statistics (numpy's and
    /// R's default "type 7": position (n−1)·q).</summary>
    public static double ExactQuantile((double Value, long Count)[] distribution, long total, double q)
    {
        var position = (total - 1) * q;
        var lowerRank = (long)Math.Floor(position);
        var fraction = position - lowerRank;
        var lower = ValueAtRank(distribution, lowerRank);
        if (fraction == 0)
        {
            return lower;
        }

        var upper = ValueAtRank(distribution, Math.Min(lowerRank + 1, total - 1));
        return lower + ((upper - lower) * fraction);
    }

    /// <summary>The value at a 0-based rank of the sorted values.</summary>
    private static double ValueAtRank((double Value, long Count)[] distribution, long rank)
    {
        long seen = 0;
        foreach (var (value, count) in distribution)
        {
            seen += count;
            if (rank < seen)
            {
                return value;
            }
        }

        return distribution[^1].Value;
    }

    public static Quantiles QuantilesOf(Func<double, double> quantile)
    {
        var levels = Quantiles.Levels;
        return new Quantiles(
            quantile(levels[0]),
            quantile(levels[1]),
            quantile(levels[2]),
            quantile(levels[3]),
            quantile(levels[4]),
            quantile(levels[5]),
            quantile(levels[6]));
    }

    /// <summary>Builds equal-width bins over [min, max] and puts each (value, weight) in its bin; weights are rounded
    /// so the counts add up to exactly <paramref name="total"/>. A digest's centroids go whole into the bin of their
    /// mean, which keeps discrete data from being smeared between its values.</summary>
    public static Histogram HistogramOf(double min, double max, int bins, long total, IEnumerable<(double Value, double Weight)> weighted)
    {
        if (min == max)
        {
            return new Histogram([min, max], [total]);
        }

        var width = (max - min) / bins;
        var edges = new double[bins + 1];
        for (var i = 0; i < bins; i++)
        {
            edges[i] = min + (i * width);
        }

        edges[bins] = max;
        var sums = new double[bins];
        foreach (var (value, weight) in weighted)
        {
            var bin = (int)((value - min) / width);
            sums[Math.Clamp(bin, 0, bins - 1)] += weight;
        }

        return new Histogram(edges, RoundToTotal(sums, total));
    }

    /// <summary>Largest-remainder rounding: integer counts adding up to <paramref name="total"/>.</summary>
    private static long[] RoundToTotal(double[] sums, long total)
    {
        var counts = sums.Select(sum => (long)Math.Floor(sum)).ToArray();
        var shortfall = total - counts.Sum();
        var byRemainder = Enumerable.Range(0, sums.Length).OrderByDescending(i => sums[i] - Math.Floor(sums[i])).ThenBy(i => i);
        foreach (var i in byRemainder)
        {
            if (shortfall <= 0)
            {
                break;
            }

            counts[i]++;
            shortfall--;
        }

        return counts;
    }
}
