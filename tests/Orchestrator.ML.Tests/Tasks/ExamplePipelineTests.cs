using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.States;
using Orchestrator.Execution.LocalRuns;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;
using Orchestrator.ML.Tasks;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tests.Tasks;

/// <summary>The example retraining DAG through the real task types and stores: what the first run records, how a
/// rejected candidate leaves production alone, and that the same data, params and seed give the same metrics.</summary>
public sealed class ExamplePipelineTests(RetrainingHistory history) : IClassFixture<RetrainingHistory>
{
    private const string Dag = "taxi_fare_retrain";
    private static readonly string[] Trainers = ["train_fasttree", "train_lightgbm"];

    private MlHome Home => history.Home;

    [Fact]
    public async Task The_first_run_records_the_dataset_version_with_rows_schema_and_profile()
    {
        MlHome.Succeeded(history.First);
        Assert.All(history.First.Tasks, task => Assert.Equal(TaskInstanceState.Success, task.State));

        var dataset = MlHome.Output<DatasetOutput>(history.First, "ingest", MlOutputKinds.Dataset);
        var version = Assert.Single(await Home.Store.Datasets.ListAsync("taxi-fare-train", default));
        Assert.Equal(dataset.Dataset, version.Digest);
        Assert.Equal(3000, version.Rows);
        Assert.Equal(new RunLineage(Dag, history.First.RunId.Value, "ingest", 1), version.CreatedBy);

        var schema = DatasetSchemaJson.FromJson(version.SchemaJson);
        Assert.Equal(["vendor_id", "rate_code", "passenger_count", "trip_time_in_secs", "trip_distance", "payment_type", "fare_amount"],
            schema.Columns.Select(c => c.Name));
        Assert.Equal(ColumnKind.Categorical, schema.Find("payment_type")!.Kind);
        Assert.Equal(ColumnKind.Numeric, schema.Find("fare_amount")!.Kind);

        var profile = DatasetProfile.FromJson(version.ProfileJson);
        Assert.Equal(3000, profile.Rows);
        var fare = profile.Find("fare_amount")!.Numeric!;
        Assert.True(fare.Min <= fare.Quantiles.P50 && fare.Quantiles.P50 <= fare.Max);
        Assert.Equal(3000, fare.Histogram.Counts.Sum());
        var payments = profile.Find("payment_type")!.Categorical!;
        Assert.Contains(payments.Top, v => v.Value == "CRD");
        Assert.Equal(3000, payments.Top.Sum(v => v.Count) + payments.OtherCount + profile.Find("payment_type")!.Missing);
    }

    [Fact]
    public async Task The_first_run_tracks_one_run_per_trainer_with_params_metrics_dataset_and_model_linked_to_its_try()
    {
        var runId = history.First.RunId.Value;
        var dataset = MlHome.Output<DatasetOutput>(history.First, "ingest", MlOutputKinds.Dataset).Dataset;
        var evaluation = MlHome.Output<EvaluationOutput>(history.First, "evaluate", MlOutputKinds.Evaluation);
        var runs = await TrackingRunsOf(runId);

        Assert.Equal(Trainers, runs.Select(r => r.CreatedBy.TaskId).Order(StringComparer.Ordinal));
        foreach (var run in runs)
        {
            var task = run.CreatedBy.TaskId!;
            var model = MlHome.Output<ModelOutput>(history.First, task, MlOutputKinds.Model);
            Assert.Equal(model.TrackingRunId, run.RunId);
            Assert.Equal(new RunLineage(Dag, runId, task, 1), run.CreatedBy);
            Assert.Equal(TrackingRunStatus.Finished, run.Status);
            Assert.Equal((runId, task, "1"), (run.Tags["orchestrator.runId"], run.Tags["orchestrator.taskId"], run.Tags["orchestrator.tryNumber"]));

            Assert.Equal("regression", run.Params["task"]);
            Assert.Equal("fare_amount", run.Params["label"]);
            Assert.Equal("42", run.Params["seed"]); // {{ params.seed }} rendered
            Assert.Equal("0.2", run.Params["holdout"]);
            Assert.Equal($"taxi-fare-train@{dataset}", run.Params["dataset"]);
            Assert.Equal(task == "train_fasttree" ? "20" : "31", run.Params[task == "train_fasttree" ? "hp.numberOfTrees" : "hp.numberOfLeaves"]);

            var metrics = Latest(run);
            foreach (var name in new[] { "r2", "rmse", "mae" })
            {
                Assert.Equal(model.Metrics[name], metrics[name]);
                var scored = evaluation.Candidates.Single(c => c.TrackingRunId == run.RunId).Metrics[name];
                Assert.Equal(scored, metrics[$"eval_{name}"]);
            }

            Assert.Equal(new DatasetInputRecord(dataset, "training"), Assert.Single(run.Datasets));
            var artifact = Assert.Single(run.Artifacts);
            Assert.Equal(("model.zip", model.Artifact), (artifact.Path, artifact.Digest));
            Assert.True(await Home.Artifacts.ExistsAsync(artifact.Digest, default));
        }
    }

    [Fact]
    public async Task The_first_run_registers_version_1_with_its_lineage_and_deploys_it_to_production_signed_by_its_try()
    {
        var runId = history.First.RunId.Value;
        var evaluation = MlHome.Output<EvaluationOutput>(history.First, "evaluate", MlOutputKinds.Evaluation);
        var chosen = evaluation.ChosenModel;

        var registry = history.After[runId];
        var version = Assert.Single(registry.Versions);
        Assert.Equal(1, version.Version);
        Assert.Equal(new RunLineage(Dag, runId, "register", 1), version.CreatedBy);
        Assert.Equal(chosen.Dataset, version.DatasetDigest);
        Assert.Equal(chosen.TrackingRunId, version.TrackingRunId);
        Assert.Equal(chosen.Artifact, version.ArtifactDigest);
        var tracked = (await Home.Store.Tracking.GetRunAsync(chosen.TrackingRunId, default))!;
        Assert.Equal(tracked.Artifacts.Single().Digest, version.ArtifactDigest);
        Assert.Equal(tracked.Params, JsonSerializer.Deserialize<Dictionary<string, string>>(version.ParamsJson));
        Assert.Equal(evaluation.Chosen.Metrics, JsonSerializer.Deserialize<Dictionary<string, double>>(version.MetricsJson));
        Assert.True(evaluation.Chosen.Metrics["r2"] >= 0.7, $"r2 {evaluation.Chosen.Metrics["r2"]} passed a 0.7 gate");
        Assert.Equal(("true", $"{MlHome.Model}/1"), (tracked.Tags["orchestrator.blessed"], tracked.Tags["orchestrator.registeredModel"]));

        Assert.Equal(1, registry.Production);
        var move = Assert.Single(registry.Moves);
        Assert.Equal((null, 1), (move.FromVersion, move.ToVersion));
        Assert.Equal($"dag:{Dag}/{runId}/deploy#1", move.MovedBy);
        Assert.Equal(new DeploymentOutput(MlOutputKinds.Deployment, MlHome.Model, "production", 1, null),
            MlHome.Output<DeploymentOutput>(history.First, "deploy", MlOutputKinds.Deployment));
    }

    [Fact]
    public async Task The_registered_package_read_back_from_the_artifact_store_scores_rows()
    {
        var registry = history.After[history.First.RunId.Value];
        var version = registry.Versions.Single(v => v.Version == registry.Production);
        var path = await Home.Artifacts.GetLocalPathAsync(version.ArtifactDigest, default);
        using var model = Home.Services.GetRequiredService<IModelPackageReader>().Read(path);
        Assert.Equal((MlTask.Regression, "fare_amount"), (model.Signature.Task, model.Signature.Label));
        Assert.Equal(ModelSignatureJson.ToJson(model.Signature), version.SignatureJson);

        var scorer = model.CreateScorer();
        var shortTrip = scorer.Predict(Row(model.Signature, tripSeconds: 300, distance: 0.8));
        var longTrip = scorer.Predict(Row(model.Signature, tripSeconds: 1271, distance: 3.8));
        Assert.InRange(shortTrip.Value!.Value, 2, 15);
        Assert.InRange(longTrip.Value!.Value, 8, 30);
        Assert.True(longTrip.Value > shortTrip.Value, $"{longTrip.Value} for 3.8 miles, {shortTrip.Value} for 0.8");
    }

    [Fact]
    public async Task An_impossible_gate_skips_register_and_deploy_with_the_reason_and_leaves_production_alone()
    {
        var rejected = history.Rejected;
        MlHome.Succeeded(rejected);
        var gate = MlHome.Task(rejected, "gate");
        Assert.Equal(TaskInstanceState.Skipped, gate.State);
        Assert.Contains("below min 0.999", gate.Reason, StringComparison.Ordinal);
        Assert.Equal(TaskInstanceState.Skipped, MlHome.Task(rejected, "register").State);
        Assert.Equal(TaskInstanceState.Skipped, MlHome.Task(rejected, "deploy").State);

        var registry = history.After[rejected.RunId.Value];
        Assert.Equal(1, Assert.Single(registry.Versions).Version);
        Assert.Equal(1, registry.Production);
        Assert.Single(registry.Moves);

        var chosen = MlHome.Output<EvaluationOutput>(rejected, "evaluate", MlOutputKinds.Evaluation).Chosen;
        var tags = (await Home.Store.Tracking.GetRunAsync(chosen.TrackingRunId, default))!.Tags;
        Assert.Equal("false", tags["orchestrator.blessed"]);
        Assert.Contains("below min 0.999", tags["orchestrator.blessing.reasons"], StringComparison.Ordinal);
        Assert.Equal($"dag:{Dag}/{rejected.RunId}/gate#1", tags["orchestrator.blessing.by"]);
        Assert.False(tags.ContainsKey("orchestrator.registeredModel"));
    }

    [Fact]
    public async Task Candidates_worse_than_production_are_rejected_by_the_change_check_though_they_pass_min()
    {
        var weaker = history.Weaker;
        MlHome.Succeeded(weaker);
        var evaluation = MlHome.Output<EvaluationOutput>(weaker, "evaluate", MlOutputKinds.Evaluation);
        Assert.Equal(1, evaluation.Baseline!.Version);
        var candidate = evaluation.Chosen.Metrics["r2"];
        var production = evaluation.Baseline.Metrics!["r2"];
        Assert.True(candidate >= 0.1 && candidate < production, $"the weak candidate's r2 {candidate} passes min 0.1 and is below production's {production}");
        // Production is scored on the same holdout rows as when it was first evaluated.
        Assert.Equal(MlHome.Output<EvaluationOutput>(history.First, "evaluate", MlOutputKinds.Evaluation).Chosen.Metrics["r2"], production, 6);

        var gate = MlHome.Task(weaker, "gate");
        Assert.Equal(TaskInstanceState.Skipped, gate.State);
        Assert.Contains("is worse than the baseline's", gate.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("below min", gate.Reason, StringComparison.Ordinal);
        Assert.Equal(TaskInstanceState.Skipped, MlHome.Task(weaker, "deploy").State);
        var registry = history.After[weaker.RunId.Value];
        Assert.Single(registry.Versions);
        Assert.Equal(1, registry.Production);
        Assert.Single(registry.Moves);
        var tags = (await Home.Store.Tracking.GetRunAsync(evaluation.Chosen.TrackingRunId, default))!.Tags;
        Assert.Equal("false", tags["orchestrator.blessed"]);
    }

    [Fact]
    public async Task The_same_data_params_and_seed_give_the_same_holdout_metrics_and_the_same_stored_dataset()
    {
        var first = await TrackingRunsOf(history.First.RunId.Value);
        var again = await TrackingRunsOf(history.Rejected.RunId.Value);
        foreach (var task in Trainers)
        {
            var (a, b) = (Latest(first.Single(r => r.CreatedBy.TaskId == task)), Latest(again.Single(r => r.CreatedBy.TaskId == task)));
            Assert.Superset(new HashSet<string> { "r2", "rmse", "mae", "eval_r2", "eval_rmse", "eval_mae" }, a.Keys.ToHashSet());
            Assert.Equal(a.Keys.Order(StringComparer.Ordinal), b.Keys.Order(StringComparer.Ordinal));
            Assert.All(a, metric => Assert.Equal(Show(metric.Value), Show(b[metric.Key])));
        }

        var digest = MlHome.Output<DatasetOutput>(history.First, "ingest", MlOutputKinds.Dataset).Dataset;
        Assert.Equal(digest, MlHome.Output<DatasetOutput>(history.Rejected, "ingest", MlOutputKinds.Dataset).Dataset);
        Assert.Single(await Home.Store.Datasets.ListAsync("taxi-fare-train", default));
        Assert.Single(Home.StoredArtifactFiles(), file => file == digest);
    }

    private async Task<List<TrackingRunRecord>> TrackingRunsOf(string runId)
    {
        var experiment = (await Home.Store.Tracking.FindExperimentAsync(Dag, default))!;
        return [.. (await Home.Store.Tracking.ListRunsAsync(experiment.Id, default)).Where(r => r.CreatedBy.RunId == runId)];
    }

    private static Dictionary<string, double> Latest(TrackingRunRecord run) =>
        run.Metrics.GroupBy(m => m.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    private static string Show(double value) => value.ToString("F6", CultureInfo.InvariantCulture);

    private static ModelRow Row(ModelSignature signature, double tripSeconds, double distance)
    {
        var values = new Dictionary<string, object>
        {
            ["vendor_id"] = "CMT", ["rate_code"] = 1, ["passenger_count"] = 1, ["trip_time_in_secs"] = tripSeconds,
            ["trip_distance"] = distance, ["payment_type"] = "CRD",
        };
        return new ModelRow(
            [.. signature.NumericInputs.Select(c => Convert.ToSingle(values[c.Name], CultureInfo.InvariantCulture))],
            [.. signature.CategoricalInputs.Select(c => Convert.ToString(values[c.Name], CultureInfo.InvariantCulture))]);
    }
}
