namespace Orchestrator.ML.Drift;

public enum DriftColumnKind { Numeric, Categorical }

public enum DriftMethod { KolmogorovSmirnov, ChiSquared, Wasserstein, JensenShannon, Psi }

/// <summary>One column's verdict. <see cref="Score"/> is a p-value for KS and chi-squared (drift when below the
/// threshold) and a distance for the others (drift when at or above it). <see cref="Statistic"/> is D or χ² for the
/// p-value tests. <see cref="Bins"/> holds the histograms behind the score (numeric tests: Evidently's bins).</summary>
public sealed record DriftTestResult(DriftMethod Method, double Score, double? Statistic, double Threshold, bool Drifted, BinnedPercents Bins);

/// <summary>Evidently's default choice of test per column, and running it. Reference ≤ 1,000 rows: KS for numeric
/// columns with more than 5 distinct values (both samples together), chi-squared otherwise; above 1,000 rows:
/// normalized Wasserstein for such numeric columns, Jensen–Shannon otherwise. Evidently uses a z-test of proportions
/// for ≤ 2 distinct values in small samples; this picker keeps chi-squared there (the issue names only chi-squared).</summary>
public static class DriftTestPicker
{
    public const int SmallReferenceRows = 1000;
    public const int FewDistinctValues = 5;

    public static DriftMethod Pick(DriftColumnKind kind, int referenceRows, int distinctValues)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(referenceRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(distinctValues);
        var continuous = kind == DriftColumnKind.Numeric && distinctValues > FewDistinctValues;
        if (referenceRows <= SmallReferenceRows)
            return continuous ? DriftMethod.KolmogorovSmirnov : DriftMethod.ChiSquared;
        return continuous ? DriftMethod.Wasserstein : DriftMethod.JensenShannon;
    }

    public static double DefaultThreshold(DriftMethod method) =>
        method is DriftMethod.KolmogorovSmirnov or DriftMethod.ChiSquared ? 0.05 : 0.1;

    /// <summary>Tests a numeric column; <paramref name="method"/> null picks Evidently's default.</summary>
    public static DriftTestResult TestNumeric(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, DriftMethod? method = null, double? threshold = null)
    {
        DriftSamples.RequireFinite(reference, nameof(reference));
        DriftSamples.RequireFinite(current, nameof(current));
        var chosen = method ?? Pick(DriftColumnKind.Numeric, reference.Length, DistinctAcross(reference, current, FewDistinctValues + 1));
        var limit = CheckThreshold(threshold ?? DefaultThreshold(chosen), chosen);
        switch (chosen)
        {
            case DriftMethod.KolmogorovSmirnov:
            {
                var ks = KolmogorovSmirnov.TwoSample(reference, current);
                return PValue(chosen, ks.PValue, ks.Statistic, limit, DriftBinning.Numeric(reference, current, fillZeroes: false));
            }
            case DriftMethod.ChiSquared:
            {
                var chi = ChiSquaredTest.Compare(reference.ToArray(), current.ToArray());
                return PValue(chosen, chi.PValue, chi.Statistic, limit, DriftBinning.Numeric(reference, current, fillZeroes: false));
            }
            case DriftMethod.Wasserstein:
                return Distance(chosen, WassersteinDistance.Normalized(reference, current), limit, DriftBinning.Numeric(reference, current, fillZeroes: false));
            case DriftMethod.JensenShannon:
            {
                var (js, bins) = JensenShannon.Numeric(reference, current);
                return Distance(chosen, js, limit, bins);
            }
            case DriftMethod.Psi:
            {
                var (psi, bins) = PopulationStabilityIndex.Numeric(reference, current);
                return Distance(chosen, psi, limit, bins);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown drift method.");
        }
    }

    /// <summary>Tests a categorical column. KS and Wasserstein need numbers and are refused here.</summary>
    public static DriftTestResult TestCategorical<T>(IReadOnlyCollection<T> reference, IReadOnlyCollection<T> current, DriftMethod? method = null, double? threshold = null)
        where T : notnull
    {
        DriftSamples.RequireNonEmpty(reference, nameof(reference));
        DriftSamples.RequireNonEmpty(current, nameof(current));
        var chosen = method ?? Pick(DriftColumnKind.Categorical, reference.Count, 1);
        var limit = CheckThreshold(threshold ?? DefaultThreshold(chosen), chosen);
        switch (chosen)
        {
            case DriftMethod.ChiSquared:
            {
                var chi = ChiSquaredTest.Compare(reference, current);
                return PValue(chosen, chi.PValue, chi.Statistic, limit, DriftBinning.Categorical(reference, current, fillZeroes: false));
            }
            case DriftMethod.JensenShannon:
            {
                var (js, bins) = JensenShannon.Categorical(reference, current);
                return Distance(chosen, js, limit, bins);
            }
            case DriftMethod.Psi:
            {
                var (psi, bins) = PopulationStabilityIndex.Categorical(reference, current);
                return Distance(chosen, psi, limit, bins);
            }
            default:
                throw new ArgumentException($"{chosen} needs a numeric column; expected ChiSquared, JensenShannon or Psi for a categorical one.", nameof(method));
        }
    }

    private static DriftTestResult PValue(DriftMethod method, double p, double statistic, double threshold, BinnedPercents bins) =>
        new(method, p, statistic, threshold, p < threshold, bins);

    private static DriftTestResult Distance(DriftMethod method, double distance, double threshold, BinnedPercents bins) =>
        new(method, distance, null, threshold, distance >= threshold, bins);

    private static double CheckThreshold(double threshold, DriftMethod method)
    {
        var pValue = method is DriftMethod.KolmogorovSmirnov or DriftMethod.ChiSquared;
        if (!double.IsFinite(threshold) || threshold <= 0 || (pValue && threshold >= 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold,
                pValue ? "Expected a significance level in (0, 1) for a p-value test." : "Expected a distance threshold > 0.");
        return threshold;
    }

    private static int DistinctAcross(ReadOnlySpan<double> reference, ReadOnlySpan<double> current, int stopAt)
    {
        var seen = new HashSet<double>();
        foreach (var v in reference)
        {
            if (seen.Add(v) && seen.Count >= stopAt)
                return seen.Count;
        }
        foreach (var v in current)
        {
            if (seen.Add(v) && seen.Count >= stopAt)
                return seen.Count;
        }
        return seen.Count;
    }
}
