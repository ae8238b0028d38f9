using Orchestrator.Core.Authoring;
using Orchestrator.Core.States;
using Orchestrator.Execution.LocalRuns;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tests.Tasks;

/// <summary>Bad input reaching the ml.* task types inside a run: the failing task says where and what, and nothing is
/// recorded that the failure should have prevented (no dataset version, no model version, the alias untouched).</summary>
public sealed class BadInputTaskTests
{
    [Fact]
    public async Task A_ragged_csv_fails_ml_ingest_naming_the_file_line_and_column_and_records_nothing()
    {
        await using var home = await MlHome.CreateAsync(sampleRows: 0);
        home.WriteFile("data/ragged.csv", "a,b,c\n1,2,3\n4,5\n");
        var dag = new DagBuilder("ragged");
        dag.Task("ingest", "ml.ingest", new { path = "data/ragged.csv" });

        var ingest = MlHome.Task(await home.RunAsync(home.Build(dag)), "ingest");

        Assert.Equal(TaskInstanceState.Failed, ingest.State);
        Assert.Contains("ragged.csv, line 3, column 'c': expected 3 fields as in the header, got 2", ingest.Reason, StringComparison.Ordinal);
        Assert.Empty(await home.Store.Datasets.ListAsync("ragged", default));
        Assert.Empty(home.StoredArtifactFiles());
    }

    [Fact]
    public async Task A_missing_input_file_is_retried_because_a_late_extract_may_land_before_the_next_try()
    {
        await using var home = await MlHome.CreateAsync(sampleRows: 0);
        var dag = new DagBuilder("late");
        dag.Task("ingest", "ml.ingest", new { path = "data/not-there-yet.csv" }).Retries(1, "0s");

        var ingest = MlHome.Task(await home.RunAsync(home.Build(dag)), "ingest");

        Assert.Equal(TaskInstanceState.Failed, ingest.State);
        Assert.Equal(2, ingest.Tries.Count);
        Assert.Contains("args.path is", ingest.Reason, StringComparison.Ordinal);
        Assert.Contains("not-there-yet.csv', which is not a file (yet)", ingest.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_in_a_column_declared_numeric_fails_ml_ingest_naming_the_line_and_column()
    {
        await using var home = await MlHome.CreateAsync(sampleRows: 0);
        home.WriteFile("data/fares.csv", "distance,fare\n1.5,7\n2.0,seven\n3.1,12\n");
        var dag = new DagBuilder("fares");
        dag.Task("ingest", "ml.ingest", new { path = "data/fares.csv", numeric = new[] { "fare" } });

        var ingest = MlHome.Task(await home.RunAsync(home.Build(dag)), "ingest");

        Assert.Equal(TaskInstanceState.Failed, ingest.State);
        Assert.Contains("fares.csv, line 3, column 'fare'", ingest.Reason, StringComparison.Ordinal);
        Assert.Contains("\"seven\", which is not a number", ingest.Reason, StringComparison.Ordinal);
        Assert.Empty(await home.Store.Datasets.ListAsync("fares", default));
    }

    [Fact]
    public async Task Failed_expectations_fail_ml_validate_with_the_anomaly_report_and_stop_training()
    {
        await using var home = await MlHome.CreateAsync(sampleRows: 300);
        var dag = new DagBuilder("validated");
        var ingest = dag.Task("ingest", "ml.ingest", new { path = MlHome.TaxiPath });
        var validate = dag.Task("validate", "ml.validate", new
        {
            expectations = new { minRows = 1000, columns = new { fare_amount = new { max = 5 }, payment_type = new { values = new[] { "CRD" } } } },
        }).DependsOn(ingest);
        dag.Task("train", "ml.train", new { task = "regression", label = "fare_amount" }).DependsOn(validate);

        var result = await home.RunAsync(home.Build(dag));

        var failed = MlHome.Task(result, "validate");
        Assert.Equal(TaskInstanceState.Failed, failed.State);
        Assert.Contains("dataset 'taxi-fare-train'", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("failed validation with 3 anomalies", failed.Reason, StringComparison.Ordinal);
        var report = failed.Reason!.Split('\n');
        Assert.Contains(report, line => line.Contains("(dataset)", StringComparison.Ordinal) && line.Contains("300", StringComparison.Ordinal));
        Assert.Contains(report, line => line.TrimStart().StartsWith("fare_amount", StringComparison.Ordinal));
        Assert.Contains(report, line => line.TrimStart().StartsWith("payment_type", StringComparison.Ordinal) && line.Contains("CSH", StringComparison.Ordinal));
        Assert.Equal(TaskInstanceState.UpstreamFailed, MlHome.Task(result, "train").State);
        Assert.Empty(await home.Store.Tracking.ListExperimentsAsync(default));
    }

    [Fact]
    public async Task Bad_train_args_fail_ml_train_naming_the_field_before_any_tracking_run_or_model()
    {
        await using var home = await MlHome.CreateAsync(sampleRows: 300);
        var dag = new DagBuilder("badtrain");
        var ingest = dag.Task("ingest", "ml.ingest", new { path = MlHome.TaxiPath });
        dag.Task("unknown_trainer", "ml.train", new { task = "regression", label = "fare_amount", trainer = "fastTreee" }).DependsOn(ingest);
        dag.Task("unknown_hyperparameter", "ml.train", new
        {
            task = "regression", label = "fare_amount", trainer = "fastTree", hyperparameters = new { numberOfTreez = 3 },
        }).DependsOn(ingest);
        dag.Task("missing_label", "ml.train", new { task = "regression", label = "fare" }).DependsOn(ingest);
        dag.Task("unknown_task", "ml.train", new { task = "regresion", label = "fare_amount" }).DependsOn(ingest);

        var result = await home.RunAsync(home.Build(dag));

        Assert.Equal(DagRunState.Failed, result.State);
        AssertFailed(result, "unknown_trainer", "fastTreee", "sdca");
        AssertFailed(result, "unknown_hyperparameter", "numberOfTreez", "numberOfTrees");
        AssertFailed(result, "missing_label", "'fare'", "fare_amount");
        AssertFailed(result, "unknown_task", "args.task", "regresion");

        // Args are checked before a tracking run starts: a typo leaves no experiment or empty run behind.
        Assert.Null(await home.Store.Tracking.FindExperimentAsync("badtrain", default));
        Assert.Empty(await home.Store.Models.ListModelsAsync(default));
    }

    [Fact]
    public async Task Data_that_cannot_train_fails_ml_train_and_ends_its_tracking_run_failed_with_no_model()
    {
        await using var home = await MlHome.CreateAsync(sampleRows: 0);
        home.WriteFile("data/unlabelled.csv", "x,label\n" + string.Join("\n", Enumerable.Range(0, 50).Select(i => $"{i},")) + "\n");
        var dag = new DagBuilder("unlabelled");
        var ingest = dag.Task("ingest", "ml.ingest", new { path = "data/unlabelled.csv", numeric = new[] { "label" } });
        dag.Task("train", "ml.train", new { task = "regression", label = "label", holdout = 0 }).DependsOn(ingest);

        var result = await home.RunAsync(home.Build(dag));

        Assert.Equal(TaskInstanceState.Failed, MlHome.Task(result, "train").State);
        Assert.Contains("no training row has a 'label' value", MlHome.Task(result, "train").Reason, StringComparison.Ordinal);
        var experiment = (await home.Store.Tracking.FindExperimentAsync("unlabelled", default))!;
        var run = Assert.Single(await home.Store.Tracking.ListRunsAsync(experiment.Id, default));
        Assert.Equal(TrackingRunStatus.Failed, run.Status);
        Assert.Empty(run.Artifacts);
        Assert.Empty(run.Metrics);
        Assert.Empty(await home.Store.Models.ListModelsAsync(default));
    }

    [Fact]
    public async Task Register_with_two_unchosen_upstream_models_fails_clearly_and_production_is_untouched()
    {
        await using var home = await MlHome.CreateAsync(sampleRows: 600);
        await RegistryFixtures.RegisterPlaceholdersAsync(home, count: 1);
        await RegistryFixtures.DeployAsync(home, version: 1);
        var dag = new DagBuilder("unchosen");
        var ingest = dag.Task("ingest", "ml.ingest", new { path = MlHome.TaxiPath });
        var fast = dag.Task("train_a", "ml.train", Train("fastTree", new { numberOfTrees = 3 })).DependsOn(ingest);
        var light = dag.Task("train_b", "ml.train", Train("lightGbm", new { numberOfIterations = 3 })).DependsOn(ingest);
        var register = dag.Task("register", "ml.register", new { model = MlHome.Model }).DependsOn(fast, light);
        dag.Task("deploy", "ml.deploy", new { model = MlHome.Model }).DependsOn(register);

        var result = await home.RunAsync(home.Build(dag));

        var failed = MlHome.Task(result, "register");
        Assert.Equal(TaskInstanceState.Failed, failed.State);
        Assert.Contains("task 'register' (ml.register) has 2 upstream models (trained by 'train_a', trained by 'train_b')", failed.Reason, StringComparison.Ordinal);
        Assert.Contains("put an ml.evaluate or ml.gate before it", failed.Reason, StringComparison.Ordinal);
        Assert.Equal(TaskInstanceState.UpstreamFailed, MlHome.Task(result, "deploy").State);
        Assert.Single(await home.Store.Models.ListVersionsAsync(MlHome.Model, default));
        Assert.Equal(1, (await home.Store.Models.GetByAliasAsync(MlHome.Model, "production", default))!.Version);
        Assert.Single(await home.Store.Models.AliasHistoryAsync(MlHome.Model, null, default));
    }

    private static object Train(string trainer, object hyperparameters) =>
        new { task = "regression", label = "fare_amount", trainer, categorical = new[] { "vendor_id", "payment_type" }, hyperparameters, seed = 1 };

    private static void AssertFailed(RunResult result, string task, params string[] named)
    {
        var summary = MlHome.Task(result, task);
        Assert.Equal(TaskInstanceState.Failed, summary.State);
        Assert.Single(summary.Tries); // bad args are not retried into success
        foreach (var text in named)
        {
            Assert.Contains(text, summary.Reason, StringComparison.Ordinal);
        }
    }
}
