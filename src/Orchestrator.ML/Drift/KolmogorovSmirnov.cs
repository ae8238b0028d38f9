namespace Orchestrator.ML.Drift;

/// <summary>Two-sample Kolmogorov–Smirnov statistic D and its two-sided p-value.</summary>
public sealed record KolmogorovSmirnovResult(double Statistic, double PValue);

/// <summary>Two-sample Kolmogorov–Smirnov test, two-sided. The p-value is the asymptotic one: Kolmogorov's limiting
/// distribution at sqrt(n·m/(n+m))·D (scipy <c>kstwobign.sf</c>). Note: scipy ≥ 1.5 <c>ks_2samp</c> defaults to the
/// exact distribution when both samples have ≤ 10,000 values, and its 'asymp' mode uses <c>kstwo</c> at
/// round(n·m/(n+m)); both agree with this one to a few parts in a hundred at the sample sizes drift sees.</summary>
public static class KolmogorovSmirnov
{
    public static KolmogorovSmirnovResult TwoSample(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        DriftSamples.RequireFinite(reference, nameof(reference));
        DriftSamples.RequireFinite(current, nameof(current));
        var d = Statistic(DriftSamples.SortedCopy(reference), DriftSamples.SortedCopy(current));
        return new KolmogorovSmirnovResult(d, PValue(d, reference.Length, current.Length));
    }

    /// <summary>The asymptotic two-sided p-value of D for samples of n and m values.</summary>
    internal static double PValue(double d, int n, int m)
    {
        var effective = (double)n * m / ((double)n + m);
        return KolmogorovDistribution.Survival(Math.Sqrt(effective) * d);
    }

    /// <summary>sup |F_ref(x) − F_cur(x)| over both sorted samples; tied values are stepped over together so the
    /// empirical CDFs are compared only where both are right-continuous.</summary>
    internal static double Statistic(double[] reference, double[] current)
    {
        int i = 0, j = 0;
        var max = 0.0;
        while (i < reference.Length && j < current.Length)
        {
            var x = Math.Min(reference[i], current[j]);
            while (i < reference.Length && reference[i] == x)
                i++;
            while (j < current.Length && current[j] == x)
                j++;
            var gap = Math.Abs(((double)i / reference.Length) - ((double)j / current.Length));
            if (gap > max)
                max = gap;
        }
        return max;
    }
}
