using Orchestrator.ML.Drift;

namespace Orchestrator.ML.Tests.Drift;

/// <summary>DatasetDrift's fast paths (each numeric sample sorted once, each categorical sample counted once) against
/// the straightforward per-column computation of <see cref="DriftTestPicker"/>, on seeded random data covering every
/// default test and both binnings: the results must be identical, bit for bit.</summary>
public sealed class FastDriftPathTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        // seed, reference rows, current rows: small references take KS / chi-squared, large ones Wasserstein / JS.
        { 1, 300, 700 },
        { 2, 1000, 1000 },
        { 3, 1001, 2500 },
        { 4, 6000, 900 },
        { 5, 1, 1 },
        { 6, 7, 3 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void NumericFastPath_EqualsThePicker(int seed, int referenceRows, int currentRows)
    {
        var random = new Random(seed);
        foreach (var generate in NumericShapes)
        {
            var reference = Sample(random, referenceRows, generate, shift: 0);
            var current = Sample(random, currentRows, generate, shift: random.NextDouble() < 0.5 ? 0 : 0.3);
            AssertSame(DriftTestPicker.TestNumeric(reference, current), SortedNumericDrift.Test(reference, current));
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void CategoricalFastPath_EqualsThePicker(int seed, int referenceRows, int currentRows)
    {
        var random = new Random(seed);
        string[] labels = ["a", "b", "c", "d", "e", "f", "g"];
        // New string instances per row (as a CSV reader without interning gives) and shared ones (with it).
        var reference = Enumerable.Range(0, referenceRows).Select(_ => new string(labels[random.Next(5)].AsSpan())).ToArray();
        var current = Enumerable.Range(0, currentRows).Select(_ => labels[random.Next(2, 7)]).ToArray();
        AssertSame(DriftTestPicker.TestCategorical(reference, current), CodedCategoricalDrift.Test(reference, current));
        AssertSame(DriftTestPicker.TestCategorical(reference, reference), CodedCategoricalDrift.Test(reference, reference));
    }

    [Fact]
    public void SortedHistogram_EqualsTheSearchedOne_IncludingValuesOnEdges()
    {
        var random = new Random(9);
        var values = Enumerable.Range(0, 5000).Select(_ => Math.Round(random.NextDouble() * 10, 1)).ToArray();
        double[] edges = [0, 1, 2, 2.5, 4, 7, 10];
        var sorted = values.Order().ToArray();
        Assert.Equal(DriftBinning.Histogram(values, edges), SortedNumericDrift.SortedHistogram(sorted, edges));
    }

    [Fact]
    public void DatasetDrift_UsesTheFastPaths_AndGivesThePickersVerdicts()
    {
        var random = new Random(11);
        var reference = new[]
        {
            DriftFeatureData.Numeric("x", Sample(random, 2000, NumericShapes[0], 0)),
            DriftFeatureData.Categorical("c", [.. Enumerable.Range(0, 2000).Select(i => (i % 3).ToString(System.Globalization.CultureInfo.InvariantCulture))]),
        };
        var current = new[]
        {
            DriftFeatureData.Numeric("x", Sample(random, 3000, NumericShapes[0], 0.5)),
            DriftFeatureData.Categorical("c", [.. Enumerable.Range(0, 3000).Select(i => (i % 4).ToString(System.Globalization.CultureInfo.InvariantCulture))]),
        };
        var result = DatasetDrift.Compute(reference, current);
        AssertSame(DriftTestPicker.TestNumeric(reference[0].Numbers, current[0].Numbers), result.Features[0].Test!);
        AssertSame(DriftTestPicker.TestCategorical(reference[1].Categories!, current[1].Categories!), result.Features[1].Test!);
    }

    [Fact]
    public void FastPaths_RefuseBadInput_LikeThePicker()
    {
        Assert.Throws<ArgumentException>(() => SortedNumericDrift.Test([1, double.NaN], [1]));
        Assert.Throws<ArgumentException>(() => SortedNumericDrift.Test([], [1]));
        Assert.Throws<ArgumentException>(() => CodedCategoricalDrift.Test(["a", null!], ["a"]));
        Assert.Throws<ArgumentException>(() => CodedCategoricalDrift.Test(["a"], []));
    }

    /// <summary>Continuous (KS / Wasserstein, Sturges bins), 12 values (value bins), 4 values (chi-squared / JS by value),
    /// one constant, and a heavy tail.</summary>
    private static readonly Func<Random, double>[] NumericShapes =
    [
        r => r.NextDouble() * 3,
        r => r.Next(12),
        r => r.Next(4) * 0.5,
        _ => 2.0,
        r => Math.Exp(r.NextDouble() * 8),
    ];

    private static double[] Sample(Random random, int rows, Func<Random, double> generate, double shift) =>
        [.. Enumerable.Range(0, rows).Select(_ => generate(random) + shift)];

    private static void AssertSame(DriftTestResult expected, DriftTestResult actual)
    {
        Assert.Equal(expected.Method, actual.Method);
        Assert.Equal(expected.Score, actual.Score);
        Assert.Equal(expected.Statistic, actual.Statistic);
        Assert.Equal(expected.Threshold, actual.Threshold);
        Assert.Equal(expected.Drifted, actual.Drifted);
        Assert.Equal(expected.Bins.Edges, actual.Bins.Edges);
        Assert.Equal(expected.Bins.Labels, actual.Bins.Labels);
        Assert.Equal(expected.Bins.Reference, actual.Bins.Reference);
        Assert.Equal(expected.Bins.Current, actual.Bins.Current);
    }
}

/// <summary>The radix sort the fast path uses, against Array.Sort, on samples large enough to take the radix path.</summary>
public sealed class RadixSortTests
{
    [Theory]
    [InlineData(1, 5000)]
    [InlineData(2, 100_000)]
    [InlineData(3, 10)]
    public void SortsLikeArraySort_AcrossSigns_Magnitudes_AndTies(int seed, int rows)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, rows).Select(i => (i % 5) switch
        {
            0 => (random.NextDouble() - 0.5) * 1e12,
            1 => random.Next(-3, 4),
            2 => -random.NextDouble() * 1e-300,
            3 => i % 2 == 0 ? 0.0 : -0.0,
            _ => Math.Exp(random.NextDouble() * 700) * (random.Next(2) == 0 ? 1 : -1),
        }).ToArray();
        var expected = values.ToArray();
        Array.Sort(expected);

        var sorted = RadixSort.SortedCopy(values);

        Assert.Equal(expected, sorted);
    }

    [Fact]
    public void KeepsANarrowRangeInOrder_WhereHighDigitsAreShared()
    {
        var random = new Random(4);
        var values = Enumerable.Range(0, 20_000).Select(_ => 1000 + random.NextDouble()).ToArray();
        Assert.Equal(values.Order(), RadixSort.SortedCopy(values));
    }
}
