using Orchestrator.ML.Monitoring;

namespace Orchestrator.ML.Tests.Monitoring;

public sealed class MetricDirectionTests
{
    [Theory]
    [InlineData("r2", 0.8, 0.72, 0.1)]         // higher is better: 10 % lower is a 0.1 drop
    [InlineData("accuracy", 0.9, 0.99, -0.1)]  // better live value: negative drop
    [InlineData("rmse", 2.0, 2.5, 0.25)]       // lower is better: 25 % higher is a 0.25 drop
    [InlineData("mae", 4.0, 3.0, -0.25)]
    [InlineData("r2", -0.5, -0.6, 0.2)]        // a negative baseline scales by its size
    public void RelativeDrop_TakesTheMetricsDirection(string metric, double baseline, double live, double drop)
    {
        Assert.Equal(drop, MetricDirection.RelativeDrop(metric, live, baseline)!.Value, 12);
    }

    [Fact]
    public void RelativeDrop_OfAZeroBaseline_IsUndefined_AndUnknownMetricsAreRefused()
    {
        Assert.Null(MetricDirection.RelativeDrop("mae", 1, 0));
        Assert.Throws<ArgumentException>(() => MetricDirection.RelativeDrop("speed", 1, 1));
        Assert.Null(MetricDirection.HigherIsBetterFor("speed"));
        Assert.False(MetricDirection.HigherIsBetterFor("logLoss"));
        Assert.True(MetricDirection.HigherIsBetterFor("microAccuracy"));
    }
}
