using MathNet.Numerics;

namespace Orchestrator.ML.Drift;

/// <summary>Pearson's statistic, its degrees of freedom (categories − 1) and the upper-tail p-value.</summary>
public sealed record ChiSquaredResult(double Statistic, int DegreesOfFreedom, double PValue);

/// <summary>Chi-squared goodness of fit of the current sample's frequencies against the reference proportions, as
/// Evidently does it: expected count of a category = reference count × (current rows / reference rows).</summary>
public static class ChiSquaredTest
{
    public static ChiSquaredResult Compare<T>(IReadOnlyCollection<T> reference, IReadOnlyCollection<T> current)
        where T : notnull => Compare(CategoryCounts.Of(reference, current));

    public static ChiSquaredResult Compare<T>(CategoryCounts<T> counts)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(counts);
        var k = counts.Categories.Count;
        var scale = (double)counts.CurrentTotal / counts.ReferenceTotal;
        var statistic = 0.0;
        for (var i = 0; i < k; i++)
        {
            var expected = counts.Reference[i] * scale;
            var observed = (double)counts.Current[i];
            if (expected == 0)
            {
                // A category the reference never saw: no finite expectation can explain it, so the fit is infinitely
                // bad (scipy returns inf too). That is drift, not an error.
                statistic = double.PositiveInfinity;
                break;
            }
            statistic += (observed - expected) * (observed - expected) / expected;
        }

        var dof = k - 1;
        if (dof == 0)
            return new ChiSquaredResult(0, 0, 1.0); // one shared category: both samples are the same constant.
        // Q(dof/2, x/2) is the chi-squared survival function; computing it directly keeps tiny p-values precise where
        // 1 − CDF would round to 0.
        var p = double.IsPositiveInfinity(statistic) ? 0.0 : SpecialFunctions.GammaUpperRegularized(dof / 2.0, statistic / 2.0);
        return new ChiSquaredResult(statistic, dof, p);
    }
}
