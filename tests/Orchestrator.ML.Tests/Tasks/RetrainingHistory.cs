using System.Text.Json.Nodes;
using Orchestrator.Execution.LocalRuns;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tests.Tasks;

/// <summary>Three runs of the example retraining DAG on one home, on a 3,000-row sample (training is the slow part, so
/// the tests of this class share them): the first deploys version 1; the second, with the same data, params and seed,
/// is asked for an impossible R² and is rejected; the third trains deliberately weak candidates that pass the R² floor
/// but are worse than production.</summary>
public sealed class RetrainingHistory : IAsyncLifetime
{
    internal MlHome Home { get; private set; } = null!;

    /// <summary>The example as shipped, but for the sample's size: no retries, a row floor the sample meets, and
    /// fewer trees (speed; the sample reaches R² 0.7 with them).</summary>
    public RunResult First { get; private set; } = null!;

    /// <summary>The same DAG with <c>--conf {"minR2": 0.999}</c>.</summary>
    public RunResult Rejected { get; private set; } = null!;

    /// <summary>The DAG edited to two-tree candidates, with <c>--conf {"minR2": 0.1}</c>.</summary>
    public RunResult Weaker { get; private set; } = null!;

    /// <summary>The registry right after each run (by run id), so each test sees what its run left, whatever a
    /// later run did.</summary>
    public Dictionary<string, RegistryState> After { get; } = [];

    public async Task InitializeAsync()
    {
        Home = await MlHome.CreateAsync(sampleRows: 3000);
        var example = await Home.ExampleDagAsync(ForTheSample);
        First = await Home.RunAsync(example);
        await SnapshotAsync(First);
        Rejected = await Home.RunAsync(example, """{"minR2": 0.999}""");
        await SnapshotAsync(Rejected);
        var weak = await Home.ExampleDagAsync(dag =>
        {
            ForTheSample(dag);
            Train(dag, "train_fasttree")["hyperparameters"] = new JsonObject { ["numberOfTrees"] = 2, ["numberOfLeaves"] = 2 };
            Train(dag, "train_lightgbm")["hyperparameters"] = new JsonObject { ["numberOfIterations"] = 2, ["numberOfLeaves"] = 2 };
        }, "taxi_fare_retrain_weak.json");
        Weaker = await Home.RunAsync(weak, """{"minR2": 0.1}""");
        await SnapshotAsync(Weaker);
    }

    public async Task DisposeAsync() => await Home.DisposeAsync();

    private async Task SnapshotAsync(RunResult run)
    {
        var models = Home.Store.Models;
        After[run.RunId.Value] = new RegistryState(
            await models.ListVersionsAsync(MlHome.Model, default),
            (await models.GetByAliasAsync(MlHome.Model, "production", default))?.Version,
            await models.AliasHistoryAsync(MlHome.Model, null, default));
    }

    internal static void ForTheSample(JsonNode dag)
    {
        dag["defaults"]!["retries"] = 0;
        TaskArgs(dag, "validate")["expectations"]!["minRows"] = 1000;
        Train(dag, "train_fasttree")["hyperparameters"]!["numberOfTrees"] = 20;
        Train(dag, "train_lightgbm")["hyperparameters"]!["numberOfIterations"] = 20;
    }

    internal static JsonNode TaskArgs(JsonNode dag, string id) =>
        dag["tasks"]!.AsArray().Single(task => (string?)task!["id"] == id)!["args"]!;

    private static JsonNode Train(JsonNode dag, string id) => TaskArgs(dag, id);
}

/// <summary>The taxi_fare model's versions (newest first), where production points and every alias move (newest first).</summary>
public sealed record RegistryState(IReadOnlyList<ModelVersionRecord> Versions, int? Production, IReadOnlyList<AliasMoveRecord> Moves);
