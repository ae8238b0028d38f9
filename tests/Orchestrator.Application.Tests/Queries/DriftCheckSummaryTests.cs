using Orchestrator.Application.Queries.Ml;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Tests.Queries;

public sealed class DriftCheckSummaryTests
{
    private static DriftCheckRecord Check(string kind, bool drifted, double share, IReadOnlyList<string> features, string? details = null) =>
        new(1, kind, "taxi", 2, DateTimeOffset.UnixEpoch, new RunLineage("monitor", "r1", "t", 1), drifted, share, 0.5, features, 1000, 200, null, details);

    [Fact]
    public void AData_Check_NamesTheDriftedFeaturesAndTheShare()
    {
        Assert.Equal("2 feature(s) drifted (share 0.67 ≥ 0.5): distance, payment",
            DriftCheckSummary.Of(Check(DriftCheckKinds.Data, true, 2.0 / 3, ["distance", "payment"])));
        Assert.Equal("no feature drifted (share 0)", DriftCheckSummary.Of(Check(DriftCheckKinds.Data, false, 0, [])));
    }

    [Fact]
    public void APerformance_Check_ComparesTheLiveMetricWithTheRegisteredOne()
    {
        var details = """{"metric":"rmse","live":12.34567,"baseline":2,"change":5.1728,"maxDrop":0.5,"rows":300}""";
        Assert.Equal("rmse live 12.346 vs 2 registered (517.3% worse)", DriftCheckSummary.Of(Check(DriftCheckKinds.Performance, true, 1, ["rmse"], details)));

        var better = """{"metric":"r2","live":0.95,"baseline":0.9,"change":-0.0556}""";
        Assert.Equal("r2 live 0.95 vs 0.9 registered (5.6% better)", DriftCheckSummary.Of(Check(DriftCheckKinds.Performance, false, 0, [], better)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not json")]
    [InlineData("""{"metric":"rmse"}""")]
    public void APerformance_Check_WithoutReadableDetails_FallsBackToTheShare(string? details)
    {
        Assert.Equal("1 feature(s) drifted (share 1 ≥ 0.5): rmse", DriftCheckSummary.Of(Check(DriftCheckKinds.Performance, true, 1, ["rmse"], details)));
    }
}
