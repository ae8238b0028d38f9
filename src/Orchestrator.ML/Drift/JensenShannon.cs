namespace Orchestrator.ML.Drift;

/// <summary>Jensen–Shannon distance (the square root of the JS divergence) with base-2 logarithms, as Evidently calls
/// scipy's <c>jensenshannon(p, q, base=2)</c>: 0 for equal distributions, 1 for disjoint ones. Drift at ≥ 0.1.</summary>
public static class JensenShannon
{
    /// <summary>Distance between two distributions given as non-negative weights (each normalized to sum 1).</summary>
    public static double Distance(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        if (p.Length != q.Length)
            throw new ArgumentException($"p has {p.Length} bins but q has {q.Length}; expected the same bins.", nameof(q));
        var pSum = CheckedSum(p, nameof(p));
        var qSum = CheckedSum(q, nameof(q));
        var divergence = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            var a = p[i] / pSum;
            var b = q[i] / qSum;
            var m = (a + b) / 2;
            divergence += (RelativeEntropy(a, m) + RelativeEntropy(b, m)) / 2;
        }
        // Rounding can leave a tiny negative divergence for equal inputs; sqrt of it would be NaN.
        return Math.Sqrt(Math.Max(divergence, 0) / Math.Log(2));
    }

    public static (double Distance, BinnedPercents Bins) Numeric(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var bins = DriftBinning.Numeric(reference, current, fillZeroes: false);
        return (Distance(bins.Reference, bins.Current), bins);
    }

    public static (double Distance, BinnedPercents Bins) Categorical<T>(IReadOnlyCollection<T> reference, IReadOnlyCollection<T> current)
        where T : notnull
    {
        var bins = DriftBinning.Categorical(reference, current, fillZeroes: false);
        return (Distance(bins.Reference, bins.Current), bins);
    }

    private static double RelativeEntropy(double x, double y) => x == 0 ? 0 : x * Math.Log(x / y);

    private static double CheckedSum(ReadOnlySpan<double> weights, string paramName)
    {
        var sum = 0.0;
        for (var i = 0; i < weights.Length; i++)
        {
            if (!double.IsFinite(weights[i]) || weights[i] < 0)
                throw new ArgumentException($"Weight at index {i} is {weights[i]}; expected a finite number ≥ 0.", paramName);
            sum += weights[i];
        }
        if (sum <= 0)
            throw new ArgumentException("The weights sum to 0; expected at least one positive weight.", paramName);
        return sum;
    }
}
