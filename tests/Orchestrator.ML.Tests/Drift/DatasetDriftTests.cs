using Orchestrator.ML.Drift;
using Xunit.Abstractions;

namespace Orchestrator.ML.Tests.Drift;

/// <summary>The dataset-level verdict (several mixed features, the share rule) in both of Evidently's sample-size
/// regimes: seeded same-distribution samples rarely drift; shifted features are detected and named.</summary>
public sealed class DatasetDriftTests(ITestOutputHelper output)
{
    private static readonly string[] Colors = ["red", "green", "blue", "black"];
    private static readonly string[] Sizes = ["S", "M", "L", "XL", "XXL"];

    [Theory]
    [InlineData(500, 500)] // KS / chi-squared
    [InlineData(5000, 2000)] // Wasserstein / Jensen–Shannon
    public void SameDistribution_RaisesNoDatasetDrift_InAtLeast95Of100SeededTrials(int referenceRows, int currentRows)
    {
        var quiet = 0;
        var featureAlarms = 0;
        var alarmsBy = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (var seed = 0; seed < 100; seed++)
        {
            var random = new Random(seed);
            var result = DatasetDrift.Compute(Sample(random, referenceRows, shift: []), Sample(random, currentRows, shift: []));
            Assert.Equal(8, result.TestedFeatures);
            featureAlarms += result.DriftedFeatures.Count;
            foreach (var name in result.DriftedFeatures)
                alarmsBy[name] = alarmsBy.GetValueOrDefault(name) + 1;
            if (!result.Drifted)
                quiet++;
        }

        output.WriteLine($"reference {referenceRows}, current {currentRows}: {quiet}/100 trials without dataset drift; {featureAlarms} single-feature alarms in 800 tests ({string.Join(", ", alarmsBy.Select(p => $"{p.Key} {p.Value}"))})");
        Assert.True(quiet >= 95, $"only {quiet}/100 same-distribution trials were free of dataset drift");
    }

    [Fact]
    public void ShiftedFeatures_AreDetected_AndNamed_AndTheShareRuleDecides_LargeReference()
    {
        var random = new Random(7);
        var reference = Sample(random, 5000, shift: []);

        var three = DatasetDrift.Compute(reference, Sample(random, 2000, shift: ["age", "color", "score"]));
        Assert.Equal(["age", "score", "color"], three.DriftedFeatures); // reported in feature order
        Assert.Equal(3.0 / 8, three.Share);
        Assert.False(three.Drifted);
        Assert.True(DatasetDrift.Compute(reference, Sample(random, 2000, shift: ["age", "color", "score"]), new DatasetDriftOptions { ShareThreshold = 0.3 }).Drifted);

        var five = DatasetDrift.Compute(reference, Sample(random, 2000, shift: ["age", "income", "score", "color", "size"]));
        Assert.Equal(["age", "income", "score", "color", "size"], five.DriftedFeatures);
        Assert.True(five.Drifted);
    }

    // Evidently's chi-squared takes the reference's shares as exact, so it also alarms on some unshifted categorical
    // features (20-30 % of them at equal sample sizes, seen in the trial above): with the small reference every shifted
    // feature must be named, and the dataset verdict must follow, but an extra categorical name is possible.
    [Fact]
    public void ShiftedFeatures_AreDetected_AndNamed_SmallReference()
    {
        var random = new Random(7);
        var reference = Sample(random, 1000, shift: []);
        var shifted = new[] { "age", "income", "score", "ratio", "color", "size" };
        var result = DatasetDrift.Compute(reference, Sample(random, 250, shift: shifted));
        Assert.Subset(result.DriftedFeatures.ToHashSet(), shifted.ToHashSet());
        Assert.True(result.Drifted);
        Assert.All(result.Features.Where(f => shifted.Contains(f.Name)), f => Assert.True(f.Test!.Score < 0.05, $"{f.Name}: p = {f.Test.Score}"));
    }

    [Fact]
    public void Tests_FollowTheReferenceSize_AndPsiWhenAsked()
    {
        var random = new Random(1);
        var small = DatasetDrift.Compute(Sample(random, 1000, []), Sample(random, 300, []));
        Assert.Equal([DriftMethod.KolmogorovSmirnov, DriftMethod.KolmogorovSmirnov, DriftMethod.KolmogorovSmirnov, DriftMethod.KolmogorovSmirnov,
            DriftMethod.ChiSquared, DriftMethod.ChiSquared, DriftMethod.ChiSquared, DriftMethod.ChiSquared], small.Features.Select(f => f.Test!.Method));
        var large = DatasetDrift.Compute(Sample(random, 1001, []), Sample(random, 300, []));
        Assert.Equal(DriftMethod.Wasserstein, large.Features[0].Test!.Method);
        Assert.Equal(DriftMethod.JensenShannon, large.Features[5].Test!.Method);
        var psi = DatasetDrift.Compute(Sample(random, 1001, []), Sample(random, 300, []), new DatasetDriftOptions { Psi = true });
        Assert.All(psi.Features, f => Assert.Equal(DriftMethod.Psi, f.Test!.Method));
    }

    [Fact]
    public void AFeatureWithTooFewValues_IsSkipped_AndNotCounted()
    {
        var reference = new[] { DriftFeatureData.Numeric("x", [1, 2, 3, 4, 5, 6, 7]), DriftFeatureData.Categorical("c", ["a", "b", "a"]) };
        var current = new[] { DriftFeatureData.Numeric("x", [50, 60, 70, 80, 90, 95, 99]), DriftFeatureData.Categorical("c", []) };
        var result = DatasetDrift.Compute(reference, current);
        Assert.Equal(1, result.TestedFeatures);
        Assert.Equal(["x"], result.DriftedFeatures);
        Assert.True(result.Drifted);
        Assert.NotNull(result.Features[1].Skipped);
        Assert.Null(result.Features[1].Test);
    }

    [Fact]
    public void BadInput_IsRefused_NamingTheFeature()
    {
        var reference = new[] { DriftFeatureData.Numeric("x", [1, 2, 3]) };
        Assert.Contains("'x'", Assert.Throws<ArgumentException>(() => DatasetDrift.Compute(reference, [DriftFeatureData.Numeric("y", [1])])).Message);
        Assert.Contains("Numeric", Assert.Throws<ArgumentException>(() => DatasetDrift.Compute(reference, [DriftFeatureData.Categorical("x", ["1"])])).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => DatasetDrift.Compute(reference, reference, new DatasetDriftOptions { ShareThreshold = 0 }));
    }

    [Fact]
    public void Report_HoldsEveryFeaturesTest_Score_Threshold_Verdict_AndSharedHistograms()
    {
        var random = new Random(3);
        var result = DatasetDrift.Compute(Sample(random, 800, []), Sample(random, 400, ["age"]));
        var report = DriftReport.FromJson(DriftReport.From(result, "m", 2, DateTimeOffset.UnixEpoch,
            new DriftDataSide("training", 800), new DriftDataSide("dataset", 400)).ToJson());

        Assert.Equal(8, report.Features.Count);
        var age = report.Features[0];
        Assert.Equal(("age", "numeric", "ks", 0.05, true), (age.Name, age.Kind, age.Test, age.Threshold!.Value, age.Drifted));
        Assert.True(age.PValue < 0.05);
        Assert.Null(age.Distance);
        Assert.Equal(age.Histogram!.Reference.Length, age.Histogram.Current.Length);
        Assert.Equal(age.Histogram.Reference.Length + 1, age.Histogram.Edges!.Length);
        Assert.Equal(1.0, age.Histogram.Reference.Sum(), 9);
        var color = report.Features[5];
        Assert.Equal(("chisquare", false), (color.Test, color.Drifted));
        Assert.Equal(Colors.Length, color.Histogram!.Labels!.Count);
        Assert.Equal(["age"], report.DriftedFeatures);
    }

    /// <summary>Eight features: normal, log-normal, uniform, integer scores (numeric), two categoricals, and two small
    /// integer-coded ones (numeric with ≤ 5 values, tested as categories). A shifted feature moves by about one standard
    /// deviation, or its category mix swaps.</summary>
    internal static DriftFeatureData[] Sample(Random random, int rows, string[] shift)
    {
        bool S(string name) => shift.Contains(name);
        var age = new double[rows];
        var income = new double[rows];
        var ratio = new double[rows];
        var score = new double[rows];
        var color = new string[rows];
        var size = new string[rows];
        var flag = new double[rows];
        var level = new double[rows];
        for (var i = 0; i < rows; i++)
        {
            age[i] = 40 + (10 * Gaussian(random)) + (S("age") ? 10 : 0);
            income[i] = Math.Exp(10 + (0.5 * Gaussian(random))) * (S("income") ? 1.8 : 1);
            ratio[i] = random.NextDouble() + (S("ratio") ? 0.3 : 0);
            score[i] = random.Next(0, 100) + (S("score") ? 30 : 0);
            color[i] = Colors[Pick(random, S("color") ? [0.1, 0.2, 0.3, 0.4] : [0.4, 0.3, 0.2, 0.1])];
            size[i] = Sizes[Pick(random, S("size") ? [0.05, 0.05, 0.2, 0.3, 0.4] : [0.4, 0.3, 0.2, 0.05, 0.05])];
            flag[i] = random.NextDouble() < (S("flag") ? 0.6 : 0.3) ? 1 : 0;
            level[i] = Pick(random, S("level") ? [0.1, 0.2, 0.7] : [0.5, 0.3, 0.2]);
        }

        return
        [
            DriftFeatureData.Numeric("age", age), DriftFeatureData.Numeric("income", income), DriftFeatureData.Numeric("ratio", ratio),
            DriftFeatureData.Numeric("score", score), DriftFeatureData.Numeric("flag", flag), DriftFeatureData.Categorical("color", color),
            DriftFeatureData.Categorical("size", size), DriftFeatureData.Numeric("level", level),
        ];
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static int Pick(Random random, double[] weights)
    {
        var u = random.NextDouble();
        for (var i = 0; i < weights.Length - 1; i++)
        {
            u -= weights[i];
            if (u < 0)
                return i;
        }

        return weights.Length - 1;
    }
}
