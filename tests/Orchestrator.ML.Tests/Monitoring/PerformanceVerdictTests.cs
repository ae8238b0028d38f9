using Orchestrator.ML.Monitoring;

namespace Orchestrator.ML.Tests.Monitoring;

public sealed class PerformanceVerdictTests
{
    private static readonly PerformanceLimits Drop20 = new(0.2, null, null, 30);

    [Theory]
    [InlineData("rmse", 2.4, false)]   // exactly 20 % worse: allowed
    [InlineData("rmse", 2.41, true)]
    [InlineData("rmse", 1.0, false)]   // better
    [InlineData("r2", 1.6, false)]     // baseline 2 read as r2: higher is better
    [InlineData("r2", 1.59, true)]
    public void MaxDrop_IsRelative_AndTakesTheMetricsDirection(string metric, double live, bool degraded)
    {
        var verdict = PerformanceVerdict.Judge(metric, live, 2.0, 30, Drop20);
        Assert.Equal(degraded, verdict.Degraded);
    }

    [Fact]
    public void TooFewRows_OrAnUndefinedLiveValue_GiveNoVerdict()
    {
        var few = PerformanceVerdict.Judge("rmse", 9, 2, 29, Drop20);
        Assert.Null(few.Degraded);
        Assert.Equal(3.5, few.Change);
        Assert.Contains("only 29 labelled rows", few.Reasons[0], StringComparison.Ordinal);

        var undefined = PerformanceVerdict.Judge("r2", null, 0.8, 100, Drop20);
        Assert.Null(undefined.Degraded);
        Assert.Null(undefined.Change);
    }

    [Fact]
    public void MinAndMaxValue_BoundTheLiveValue_WithOrWithoutABaseline()
    {
        var limits = new PerformanceLimits(null, 0.5, 0.99, 1);
        Assert.True(PerformanceVerdict.Judge("accuracy", 0.49, null, 10, limits).Degraded);
        Assert.True(PerformanceVerdict.Judge("accuracy", 1.0, null, 10, limits).Degraded);
        Assert.False(PerformanceVerdict.Judge("accuracy", 0.5, null, 10, limits).Degraded);
    }

    [Fact]
    public void AZeroBaseline_SkipsMaxDrop_AndSaysSo()
    {
        var verdict = PerformanceVerdict.Judge("mae", 5, 0, 30, Drop20);
        Assert.False(verdict.Degraded);
        Assert.Null(verdict.Change);
        Assert.Contains(verdict.Reasons, reason => reason.Contains("registered mae is 0", StringComparison.Ordinal));
    }
}
