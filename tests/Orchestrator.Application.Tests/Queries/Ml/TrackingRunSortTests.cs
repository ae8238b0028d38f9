using Orchestrator.Application.Queries.Ml;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Tests.Queries.Ml;

public sealed class TrackingRunSortTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 6, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, null, TrackingRunSortKey.StartedAt, null, true)]
    [InlineData("startedAt", "asc", TrackingRunSortKey.StartedAt, null, false)]
    [InlineData("name", null, TrackingRunSortKey.Name, null, false)]
    [InlineData("name", "desc", TrackingRunSortKey.Name, null, true)]
    [InlineData("metrics.rmse", null, TrackingRunSortKey.Metric, "rmse", false)]
    [InlineData("params.learning.rate", "desc", TrackingRunSortKey.Param, "learning.rate", true)]
    public void Parse_ReadsSortAndOrder(string? sort, string? order, TrackingRunSortKey key, string? name, bool descending) =>
        Assert.Equal(new TrackingRunSort(key, name, descending), TrackingRunSort.Parse(sort, order));

    [Theory]
    [InlineData("rmse", null, "sort")]
    [InlineData("metrics.", null, "sort")]
    [InlineData("params.", null, "sort")]
    [InlineData("StartedAt", null, "sort")]
    [InlineData("name", "ASC", "order")]
    [InlineData(null, "up", "order")]
    public void Parse_RefusesOtherValues_NamingTheParameter(string? sort, string? order, string field)
    {
        var problem = Assert.Throws<ApplicationProblemException>(() => TrackingRunSort.Parse(sort, order));
        Assert.Equal((ProblemKind.Invalid, field), (problem.Kind, problem.Field));
    }

    [Fact]
    public void Metric_SortsByTheLatestValue_MissingAndNaNLast_InBothOrders()
    {
        var runs = new[]
        {
            Run("a", 1, metrics: [("rmse", 0, 1.0), ("rmse", 1, 5.0)]), // latest 5
            Run("b", 2, metrics: [("rmse", 0, 3.0)]),
            Run("c", 3),
            Run("d", 4, metrics: [("rmse", 0, double.NaN)]),
            Run("e", 5, metrics: [("rmse", 0, 3.0)]), // ties with b: newer first
        };
        Assert.Equal(["e", "b", "a", "d", "c"], Ids(TrackingRunSort.Parse("metrics.rmse", "asc").Apply(runs)));
        Assert.Equal(["a", "e", "b", "d", "c"], Ids(TrackingRunSort.Parse("metrics.rmse", "desc").Apply(runs)));
    }

    [Fact]
    public void Param_SortsNumbersNumerically_BeforeText_MissingLast()
    {
        var runs = new[]
        {
            Run("a", 1, parameters: ("lr", "0.1")),
            Run("b", 2, parameters: ("lr", "1e-3")),
            Run("c", 3, parameters: ("lr", "auto")),
            Run("d", 4),
            Run("e", 5, parameters: ("lr", "10")),
        };
        Assert.Equal(["b", "a", "e", "c", "d"], Ids(TrackingRunSort.Parse("params.lr", null).Apply(runs)));
        Assert.Equal(["c", "e", "a", "b", "d"], Ids(TrackingRunSort.Parse("params.lr", "desc").Apply(runs)));
    }

    [Fact]
    public void StartedAtAndName_OrderAllRuns()
    {
        var runs = new[] { Run("x", 2, name: "beta"), Run("y", 3, name: "alpha"), Run("z", 1, name: "beta") };
        Assert.Equal(["y", "x", "z"], Ids(TrackingRunSort.Default.Apply(runs)));
        Assert.Equal(["z", "x", "y"], Ids(TrackingRunSort.Parse("startedAt", "asc").Apply(runs)));
        Assert.Equal(["y", "x", "z"], Ids(TrackingRunSort.Parse("name", null).Apply(runs))); // tie on beta: newest first
        Assert.Equal(["x", "z", "y"], Ids(TrackingRunSort.Parse("name", "desc").Apply(runs)));
    }

    private static string[] Ids(IReadOnlyList<TrackingRunRecord> runs) => [.. runs.Select(run => run.RunId)];

    private static TrackingRunRecord Run(string id, int hour, (string Key, long Step, double Value)[]? metrics = null, (string Key, string Value)? parameters = null, string? name = null) =>
        new(id, "1", name ?? id, TrackingRunStatus.Finished, T0.AddHours(hour), null, new RunLineage(null, null, null, null),
            parameters is { } p ? new Dictionary<string, string> { [p.Key] = p.Value } : new Dictionary<string, string>(),
            new Dictionary<string, string>(),
            [.. (metrics ?? []).Select(metric => new MetricPoint(metric.Key, metric.Value, metric.Step, T0))], [], []);
}
