namespace Orchestrator.ML.Drift;

/// <summary>Population Stability Index Σ (ref − cur) · ln(ref / cur) over Evidently's bins (empty bins filled with a
/// tiny share). Drift at ≥ 0.1 (Evidently's default; 0.1–0.2 is commonly read as moderate, &gt; 0.2 as major).</summary>
public static class PopulationStabilityIndex
{
    public static double FromPercents(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        if (reference.Length != current.Length)
            throw new ArgumentException($"reference has {reference.Length} bins but current has {current.Length}; expected the same bins.", nameof(current));
        var psi = 0.0;
        for (var i = 0; i < reference.Length; i++)
        {
            if (!(reference[i] > 0) || !(current[i] > 0))
                throw new ArgumentException($"Bin {i} has share {reference[i]} / {current[i]}; PSI needs every share > 0 (fill empty bins first).", nameof(reference));
            psi += (reference[i] - current[i]) * Math.Log(reference[i] / current[i]);
        }
        return psi;
    }

    public static (double Psi, BinnedPercents Bins) Numeric(ReadOnlySpan<double> reference, ReadOnlySpan<double> current)
    {
        var bins = DriftBinning.Numeric(reference, current, fillZeroes: true);
        return (FromPercents(bins.Reference, bins.Current), bins);
    }

    public static (double Psi, BinnedPercents Bins) Categorical<T>(IReadOnlyCollection<T> reference, IReadOnlyCollection<T> current)
        where T : notnull
    {
        var bins = DriftBinning.Categorical(reference, current, fillZeroes: true);
        return (FromPercents(bins.Reference, bins.Current), bins);
    }
}
