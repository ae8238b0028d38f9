using System.Text.Json;
using Orchestrator.Cli.Hosting;
using Orchestrator.Storage.Records;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>experiments …</c> on a home whose tracking store was filled through the interfaces, as ml.train fills it.</summary>
public sealed class ExperimentsCommandTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 6, 0, 0, TimeSpan.Zero);
    private static readonly string Dataset = new('d', 64);
    private static readonly string Model = new('c', 64);

    private readonly string _home = Directory.CreateTempSubdirectory("orchestrator-experiments-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task List_ShowsExperiments_WithTheirIds()
    {
        await SeedAsync();

        var (exit, json, _) = await RunAsync("experiments", "list", "--output", "json");
        Assert.Equal(0, exit);
        using var experiments = JsonDocument.Parse(json);
        Assert.Equal([("1", "taxi-fare"), ("2", "churn")],
            experiments.RootElement.EnumerateArray().Select(e => (e.GetProperty("id").GetString(), e.GetProperty("name").GetString())));

        var (_, table, _) = await RunAsync("experiments", "list");
        Assert.Contains("2 experiment(s)", table, StringComparison.Ordinal);
        Assert.Contains("taxi-fare", table, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("taxi-fare")]
    [InlineData("1")]
    public async Task Runs_ByNameOrId_ShowParamsMetricsInputsAndArtifacts(string experiment)
    {
        var (fastTree, lightGbm) = await SeedAsync();

        var (exit, json, error) = await RunAsync("experiments", "runs", experiment, "--output", "json");
        Assert.Equal((0, ""), (exit, error));
        using var runs = JsonDocument.Parse(json);
        Assert.Equal([lightGbm, fastTree], runs.RootElement.EnumerateArray().Select(r => r.GetProperty("runId").GetString()));

        var run = runs.RootElement[1];
        Assert.Equal(("fastTree", "FINISHED", "1"), (run.GetProperty("name").GetString(), run.GetProperty("status").GetString(), run.GetProperty("experimentId").GetString()));
        Assert.Equal("100", run.GetProperty("params").GetProperty("numberOfTrees").GetString());
        Assert.Equal(0.91, run.GetProperty("metrics").GetProperty("r2").GetDouble());
        Assert.Equal(2.0, run.GetProperty("metrics").GetProperty("rmse").GetDouble()); // the last step's value
        Assert.Equal("NaN", run.GetProperty("metrics").GetProperty("loss").GetString());
        Assert.Equal([(0L, 4.0), (1L, 3.0), (2L, 2.0)], run.GetProperty("metricHistory").EnumerateArray()
            .Where(p => p.GetProperty("key").GetString() == "rmse").Select(p => (p.GetProperty("step").GetInt64(), p.GetProperty("value").GetDouble())));
        Assert.Equal((Dataset, "training"), (run.GetProperty("datasets")[0].GetProperty("digest").GetString(), run.GetProperty("datasets")[0].GetProperty("context").GetString()));
        Assert.Equal(("model/model.zip", 2048), (run.GetProperty("artifacts")[0].GetProperty("path").GetString(), run.GetProperty("artifacts")[0].GetProperty("sizeBytes").GetInt64()));
        Assert.Equal(("retrain", "train_fast_tree", 2),
            (run.GetProperty("createdBy").GetProperty("dagId").GetString(), run.GetProperty("createdBy").GetProperty("taskId").GetString(), run.GetProperty("createdBy").GetProperty("tryNumber").GetInt32()));
        Assert.Equal("RUNNING", runs.RootElement[0].GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, runs.RootElement[0].GetProperty("endedAt").ValueKind);
    }

    [Fact]
    public async Task Runs_AsATable_ShowLatestMetrics()
    {
        var (fastTree, _) = await SeedAsync();

        var (exit, table, _) = await RunAsync("experiments", "runs", "taxi-fare");

        Assert.Equal(0, exit);
        Assert.Contains("taxi-fare (id 1): 2 run(s)", table, StringComparison.Ordinal);
        Assert.Contains(fastTree, table, StringComparison.Ordinal);
        Assert.Contains("rmse=2", table, StringComparison.Ordinal);
        Assert.Contains("00:05:00", table, StringComparison.Ordinal); // the finished run's duration
        Assert.Contains("retrain/r1/train_fast_tree#2", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownExperiment_Exits1()
    {
        await SeedAsync();

        var (exit, output, error) = await RunAsync("experiments", "runs", "nope", "--output", "json");

        Assert.Equal((1, ""), (exit, output));
        Assert.Equal("error: no experiment with id or name 'nope' (see `experiments list`)", error.Trim());
    }

    [Fact]
    public async Task EmptyExperiment_HasNoRuns()
    {
        await SeedAsync();

        var (exit, json, _) = await RunAsync("experiments", "runs", "churn", "--output", "json");

        Assert.Equal((0, "[]"), (exit, json.Trim()));
    }

    /// <summary>Experiment "taxi-fare" (id 1) with a finished fastTree run and a running lightGbm run; "churn" (id 2) empty.</summary>
    private async Task<(string FastTree, string LightGbm)> SeedAsync()
    {
        await using var store = await MetadataStores.OpenAsync(null, _home, default);
        var taxi = await store.Tracking.GetOrCreateExperimentAsync("taxi-fare", T0, default);
        await store.Tracking.GetOrCreateExperimentAsync("churn", T0, default);

        var fastTree = await store.Tracking.StartRunAsync(taxi.Id, "fastTree", new RunLineage("retrain", "r1", "train_fast_tree", 2),
            new Dictionary<string, string> { ["trainer"] = "fastTree", ["numberOfTrees"] = "100" }, new Dictionary<string, string>(), T0, default);
        await store.Tracking.LogMetricsAsync(fastTree.RunId,
        [
            new MetricPoint("rmse", 2.0, 2, T0.AddMinutes(3)), new MetricPoint("rmse", 4.0, 0, T0.AddMinutes(1)), new MetricPoint("rmse", 3.0, 1, T0.AddMinutes(2)),
            new MetricPoint("r2", 0.91, 0, T0.AddMinutes(4)), new MetricPoint("loss", double.NaN, 0, T0.AddMinutes(4)),
        ], default);
        await store.Tracking.LogDatasetInputAsync(fastTree.RunId, new DatasetInputRecord(Dataset, "training"), default);
        await store.Tracking.LogArtifactAsync(fastTree.RunId, new TrackedArtifactRecord("model/model.zip", Model, 2048), default);
        await store.Tracking.EndRunAsync(fastTree.RunId, TrackingRunStatus.Finished, T0.AddMinutes(5), default);

        var lightGbm = await store.Tracking.StartRunAsync(taxi.Id, "lightGbm", new RunLineage("retrain", "r1", "train_light_gbm", 1),
            new Dictionary<string, string> { ["trainer"] = "lightGbm" }, new Dictionary<string, string>(), T0.AddSeconds(1), default);
        return (fastTree.RunId, lightGbm.RunId);
    }

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--home", _home]);
}
