using Orchestrator.ML.Data.Profiling;

namespace Orchestrator.ML.Tests.Data;

public sealed class TDigestTests
{
    /// <summary>The rank error the profile documents for compression 200: estimates sit within 1% of n of the true
    /// rank (tails much closer).</summary>
    private const double RankErrorBound = 0.01;

    public static TheoryData<string> Shapes => ["uniform", "normal", "exponential", "sorted", "reversed", "discrete", "outliers"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Quantiles_are_within_the_rank_error_bound(string shape)
    {
        var values = Generate(shape, 50_000);
        var digest = new TDigest(200);
        foreach (var value in values)
        {
            digest.Add(value);
        }

        var sorted = values.Order().ToArray();
        foreach (var q in new[] { 0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999 })
        {
            var estimate = digest.Quantile(q);
            var (below, atOrBelow) = Ranks(sorted, estimate);
            var target = q * sorted.Length;
            // The estimate's rank range [below, atOrBelow] must come within the bound of q·n.
            var error = target < below ? below - target : target > atOrBelow ? target - atOrBelow : 0;
            Assert.True(error <= RankErrorBound * sorted.Length, $"{shape} q={q}: estimate {estimate} has rank [{below},{atOrBelow}], want {target}±{RankErrorBound * sorted.Length}");
        }

        Assert.Equal(sorted[0], digest.Quantile(0));
        Assert.Equal(sorted[^1], digest.Quantile(1));
        Assert.Equal(values.Length, digest.Count);
    }

    [Fact]
    public void Memory_stays_bounded_however_many_values_are_added()
    {
        var digest = new TDigest(100);
        var random = new Random(3);
        for (var i = 0; i < 300_000; i++)
        {
            digest.Add(random.NextDouble());
        }

        Assert.InRange(digest.CentroidCount, 10, 160);
        Assert.Equal(300_000, digest.Centroids().Sum(centroid => centroid.Weight));
    }

    [Fact]
    public void Few_values_are_reproduced_exactly()
    {
        var digest = new TDigest();
        foreach (var value in new[] { 5.0, 1, 3 })
        {
            digest.Add(value);
        }

        Assert.Equal(1, digest.Quantile(0));
        Assert.Equal(3, digest.Quantile(0.5));
        Assert.Equal(5, digest.Quantile(1));
        Assert.True(double.IsNaN(new TDigest().Quantile(0.5)));
    }

    [Fact]
    public void Weighted_add_equals_repeated_add()
    {
        var repeated = new TDigest();
        var weighted = new TDigest();
        for (var value = 0; value < 500; value++)
        {
            for (var i = 0; i < 7; i++)
            {
                repeated.Add(value);
            }

            weighted.Add(value, 7);
        }

        Assert.Equal(repeated.Quantile(0.37), weighted.Quantile(0.37));
        Assert.Equal(repeated.Count, weighted.Count);
    }

    private static (int Below, int AtOrBelow) Ranks(double[] sorted, double value)
    {
        var below = LowerBound(sorted, value);
        var atOrBelow = below;
        while (atOrBelow < sorted.Length && sorted[atOrBelow] == value)
        {
            atOrBelow++;
        }

        return (below, atOrBelow);
    }

    private static int LowerBound(double[] sorted, double value)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (sorted[middle] < value)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    internal static double[] Generate(string shape, int count)
    {
        var random = new Random(42);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var values = Enumerable.Range(0, count).Select(i => shape switch
        {
            "uniform" => random.NextDouble() * 100,
            "normal" => 50 + (10 * Normal()),
            "exponential" => -Math.Log(1 - random.NextDouble()) * 3,
            "sorted" or "reversed" => i * 0.5,
            "discrete" => random.Next(0, 7),
            "outliers" => i % 1000 == 0 ? 1e9 : random.NextDouble(),
            _ => throw new ArgumentOutOfRangeException(nameof(shape)),
        }).ToArray();
        if (shape == "reversed")
        {
            Array.Reverse(values);
        }

        return values;
    }
}
