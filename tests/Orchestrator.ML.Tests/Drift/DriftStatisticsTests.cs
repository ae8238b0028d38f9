using Orchestrator.ML.Drift;

namespace Orchestrator.ML.Tests.Drift;

/// <summary>Reference values: scipy is not installed on this machine, so every expected value below is either a
/// published value (cited) or an exact small case worked by hand in the comment (python3's math module used only as a
/// calculator for the final logarithms/square roots).</summary>
public sealed class DriftStatisticsTests
{
    // Kolmogorov distribution, published: Q(1) = 0.2699996717 (Smirnov/Kolmogorov tables), Q(0.5) = 0.9639452436;
    // critical values K_0.05 = 1.3581 and K_0.01 = 1.6276 (standard KS tables).
    [Theory]
    [InlineData(1.0, 0.2699996717, 1e-9)]
    [InlineData(0.5, 0.9639452436, 1e-9)]
    [InlineData(1.3581, 0.05, 2e-5)]
    [InlineData(1.6276, 0.01, 2e-5)]
    [InlineData(0.0, 1.0, 0)]
    public void Kolmogorov_survival_matches_published_values(double lambda, double expected, double tolerance) =>
        Assert.Equal(expected, KolmogorovDistribution.Survival(lambda), tolerance);

    [Fact]
    public void Kolmogorov_series_agree_where_they_switch()
    {
        // The small-lambda (theta) and large-lambda (alternating) series are both exact; around 1 they must meet
        // (slope of Q near 1 is about −1.07, so 1e-6 apart in lambda is ~1.07e-6 apart in value).
        Assert.Equal(KolmogorovDistribution.Survival(0.999999), KolmogorovDistribution.Survival(1.0), 2e-6);
    }

    [Fact]
    public void Ks_of_shifted_eight_value_samples_is_one_half_with_lambda_one()
    {
        // ref 1..8, cur 5..12: at x = 4, F_ref = 4/8, F_cur = 0, so D = 0.5. n·m/(n+m) = 4, λ = 2·0.5 = 1 → p = Q(1).
        var result = KolmogorovSmirnov.TwoSample([1, 2, 3, 4, 5, 6, 7, 8], [5, 6, 7, 8, 9, 10, 11, 12]);
        Assert.Equal(0.5, result.Statistic, 12);
        Assert.Equal(0.2699996717, result.PValue, 1e-9);
    }

    [Fact]
    public void Ks_steps_over_ties_together()
    {
        // ref {1,1,2}, cur {1,2,2}: after x = 1, F_ref = 2/3 and F_cur = 1/3; after x = 2 both are 1. D = 1/3.
        Assert.Equal(1.0 / 3, KolmogorovSmirnov.TwoSample([1, 1, 2], [1, 2, 2]).Statistic, 12);
        Assert.Equal(0.0, KolmogorovSmirnov.TwoSample([3, 1, 2], [2, 3, 1]).Statistic);
        // ref {1,1,1,1}, cur {0,1,1,1}: at 0 the CDFs are 0 vs 1/4, at 1 both are 1 → D = 1/4. Counting a tie only
        // partly would compare 1/4 vs 1 and report 3/4.
        Assert.Equal(0.25, KolmogorovSmirnov.TwoSample([1, 1, 1, 1], [0, 1, 1, 1]).Statistic, 12);
    }

    [Fact]
    public void Chi_squared_uses_reference_proportions_as_expectation()
    {
        // ref A:50 B:30 C:20, cur A:30 B:30 C:40 (both 100): expected 50/30/20 → χ² = 400/50 + 0 + 400/20 = 28.
        // With 2 degrees of freedom the survival function is exp(−x/2): p = exp(−14) = 8.315287191035679e-07.
        var reference = Repeat(("A", 50), ("B", 30), ("C", 20));
        var current = Repeat(("A", 30), ("B", 30), ("C", 40));
        var result = ChiSquaredTest.Compare(reference, current);
        Assert.Equal(28.0, result.Statistic, 10);
        Assert.Equal(2, result.DegreesOfFreedom);
        Assert.Equal(8.315287191035679e-07, result.PValue, 1e-18);
    }

    [Fact]
    public void Chi_squared_scales_expectation_to_the_current_size()
    {
        // Half as many current rows in the same proportions: expected 25/15/10 = observed → χ² = 0, p = 1.
        var result = ChiSquaredTest.Compare(Repeat(("A", 50), ("B", 30), ("C", 20)), Repeat(("A", 25), ("B", 15), ("C", 10)));
        Assert.Equal(0.0, result.Statistic, 12);
        Assert.Equal(1.0, result.PValue, 12);
    }

    [Fact]
    public void Chi_squared_table_value_at_five_percent()
    {
        // dof 2: χ²_0.95 = 5.991464547 (published table; = −2 ln 0.05). Four categories give dof 3: the same
        // statistic there has p = 0.1120 (table: χ²_3 at 5.99 → 0.112).
        Assert.Equal(0.05, MathNet.Numerics.SpecialFunctions.GammaUpperRegularized(1.0, 5.991464547 / 2), 1e-9);
    }

    [Fact]
    public void Chi_squared_category_unseen_in_reference_is_infinite_drift()
    {
        var result = ChiSquaredTest.Compare(["a", "a", "b"], ["a", "c", "b"]);
        Assert.True(double.IsPositiveInfinity(result.Statistic));
        Assert.Equal(0.0, result.PValue);
    }

    [Fact]
    public void Wasserstein_of_a_shifted_sample_is_the_shift()
    {
        // scipy.stats.wasserstein_distance docs: ([0, 1, 3], [5, 6, 8]) = 5.0.
        Assert.Equal(5.0, WassersteinDistance.Compute([0, 1, 3], [5, 6, 8]), 12);
        // By hand: ref {0,1}, cur {0,2}: CDFs differ only on [1,2) by 1 − 1/2 → 0.5.
        Assert.Equal(0.5, WassersteinDistance.Compute([0, 1], [0, 2]), 12);
        Assert.Equal(0.0, WassersteinDistance.Compute([0, 1], [1, 0]), 12);
    }

    [Fact]
    public void Normalized_wasserstein_divides_by_population_std_of_reference()
    {
        // Population std of {0,1,3} = sqrt(14)/3 → 5 / 1.2472191 = 4.0089186286863665.
        Assert.Equal(4.0089186286863665, WassersteinDistance.Normalized([0, 1, 3], [5, 6, 8]), 10);
        // Constant reference: std 0 is floored at 0.001; W({2,2,2},{2,2,3}) = 1/3 → 333.33.
        Assert.Equal(1000.0 / 3, WassersteinDistance.Normalized([2, 2, 2], [2, 2, 3]), 8);
    }

    [Fact]
    public void Jensen_shannon_uses_base_two()
    {
        // scipy.spatial.distance.jensenshannon docs: ([1,0,0],[0,1,0], base 2) = 1.0; ([1,0],[0.5,0.5]) = 0.46450140402245893
        // in natural log, so in base 2 it is that / sqrt(ln 2) = 0.5579230452841438.
        Assert.Equal(1.0, JensenShannon.Distance([1, 0, 0], [0, 1, 0]), 12);
        Assert.Equal(0.5579230452841438, JensenShannon.Distance([1, 0], [0.5, 0.5]), 12);
        Assert.Equal(0.0, JensenShannon.Distance([1, 0, 0], [1, 0, 0]), 12);
    }

    [Fact]
    public void Numeric_bins_follow_sturges_over_both_samples()
    {
        // ref 0..31, cur 32..63: N = 64 → log2 64 + 1 = 7 bins of width 9 over [0, 63].
        // ref shares 9,9,9,5,0,0,0 /32; cur 0,0,0,4,9,9,10 /32 (last bin closed, holds 54..63).
        var reference = Enumerable.Range(0, 32).Select(i => (double)i).ToArray();
        var current = Enumerable.Range(32, 32).Select(i => (double)i).ToArray();
        var (distance, bins) = JensenShannon.Numeric(reference, current);
        Assert.Equal([0, 9, 18, 27, 36, 45, 54, 63], bins.Edges!);
        Assert.Equal(new double[] { 9, 9, 9, 5, 0, 0, 0 }.Select(c => c / 32), bins.Reference);
        Assert.Equal(new double[] { 0, 0, 0, 4, 9, 9, 10 }.Select(c => c / 32), bins.Current);
        // JS of those shares worked from the definition: 0.9277014223796631.
        Assert.Equal(0.9277014223796631, distance, 12);
    }

    [Fact]
    public void Psi_from_shares_and_with_empty_bin_fill()
    {
        // (0.5−0.25)·ln 2 + (0.5−0.75)·ln(2/3) = 0.25·(ln 2 + ln 1.5) = 0.2746530721670274.
        Assert.Equal(0.2746530721670274, PopulationStabilityIndex.FromPercents([0.5, 0.5], [0.25, 0.75]), 12);
        // ref all "A" (B share 0 → filled with 0.0001), cur half/half:
        // 0.5·ln 2 + (0.0001 − 0.5)·ln(0.0001/0.5) = 4.60431846666895.
        var (psi, bins) = PopulationStabilityIndex.Categorical(["A", "A", "A", "A"], ["A", "A", "B", "B"]);
        Assert.Equal(0.0001, bins.Reference[1]);
        Assert.Equal(4.60431846666895, psi, 10);
    }

    [Fact]
    public void Bad_input_names_the_parameter()
    {
        var nan = Assert.Throws<ArgumentException>(() => KolmogorovSmirnov.TwoSample([1, double.NaN], [1]));
        Assert.Equal("reference", nan.ParamName);
        Assert.Contains("index 1", nan.Message, StringComparison.Ordinal);
        Assert.Equal("current", Assert.Throws<ArgumentException>(() => WassersteinDistance.Compute([1], [])).ParamName);
        Assert.Equal("q", Assert.Throws<ArgumentException>(() => JensenShannon.Distance([1, 0], [1])).ParamName);
    }

    internal static string[] Repeat(params (string Value, int Count)[] parts) =>
        [.. parts.SelectMany(p => Enumerable.Repeat(p.Value, p.Count))];
}
