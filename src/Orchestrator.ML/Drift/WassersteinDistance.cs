namespace Orchestrator.ML.Drift;

/// <summary>First Wasserstein (earth mover's) distance between two empirical distributions, and Evidently's
/// normalized form: distance / max(population std of the reference, 0.001), drift at ≥ 0.1.</summary>
public static class WassersteinDistance
{
    public const double MinimumScale = 0.001;

    /// <summary>∫ |F_ref(x) − F_cur(x)| dx, like scipy.stats.wasserstein_distance.</summary>
    public static double Compute(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        DriftSamples.RequireFinite(reference, nameof(reference));
        DriftSamples.RequireFinite(current, nameof(current));
        return Between(DriftSamples.SortedCopy(reference), DriftSamples.SortedCopy(current));
    }

    public static double Normalized(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var distance = Compute(reference, current);
        return distance / Math.Max(PopulationStandardDeviation(reference), MinimumScale);
    }

    internal static double Between(double[] a, double[] b)
    {
        // Walk the merged sorted values; between consecutive values both CDFs are constant, so the integral is a sum
        // of rectangles |i/n − j/m| × width.
        int i = 0, j = 0;
        var total = 0.0;
        var x = Math.Min(a[0], b[0]);
        while (i < a.Length || j < b.Length)
        {
            while (i < a.Length && a[i] == x)
                i++;
            while (j < b.Length && b[j] == x)
                j++;
            if (i == a.Length && j == b.Length)
                break;
            var next = Math.Min(i < a.Length ? a[i] : double.PositiveInfinity, j < b.Length ? b[j] : double.PositiveInfinity);
            total += Math.Abs(((double)i / a.Length) - ((double)j / b.Length)) * (next - x);
            x = next;
        }
        return total;
    }

    internal static double PopulationStandardDeviation(ReadOnlySpan<double> sample)
    {
        // Two-pass for accuracy; Evidently uses numpy's std, which divides by n (ddof = 0).
        var mean = 0.0;
        foreach (var v in sample)
            mean += v;
        mean /= sample.Length;
        var squares = 0.0;
        foreach (var v in sample)
            squares += (v - mean) * (v - mean);
        return Math.Sqrt(squares / sample.Length);
    }
}
