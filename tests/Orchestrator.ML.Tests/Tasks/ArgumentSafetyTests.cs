using Orchestrator.Core.Authoring;
using Orchestrator.Core.States;
using Orchestrator.ML.Tasks;

namespace Orchestrator.ML.Tests.Tasks;

/// <summary>Args that would make an ml.* task quietly do something else than asked: a misspelt arg, a gate without the
/// baseline it compares with, a gate on a metric the task does not give, and the same bytes ingested with other
/// settings. Each fails naming the field, or is read as this ingest asked.</summary>
public sealed class ArgumentSafetyTests
{
    [Fact]
    public async Task A_misspelt_arg_fails_the_task_naming_it_instead_of_being_ignored()
    {
        await using var home = await MlHome.CreateAsync(sampleRows: 0);
        home.WriteFile("data/x.csv", "a,b\n1,2\n3,4\n");
        var dag = new DagBuilder("typo");
        dag.Task("ingest", "ml.ingest", new { path = "data/x.csv", seperator = ";" });

        var ingest = MlHome.Task(await home.RunAsync(home.Build(dag)), "ingest");

        Assert.Equal(TaskInstanceState.Failed, ingest.State);
        Assert.Contains("args.seperator is not an argument of ml.ingest; did you mean 'separator'?", ingest.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_bytes_ingested_again_with_another_separator_are_read_as_this_ingest_says()
    {
        await using var home = await MlHome.CreateAsync(sampleRows: 0);
        var rows = string.Join("\n", Enumerable.Range(0, 200).Select(i => $"{i % 7};{i % 3};{(i % 2 == 0 ? "a" : "b")};{i % 2}"));
        home.WriteFile("data/semi.csv", "x1;x2;color;label\n" + rows + "\n");
        var first = new DagBuilder("comma");
        first.Task("ingest", "ml.ingest", new { path = "data/semi.csv" });   // wrong separator: one column
        MlHome.Succeeded(await home.RunAsync(home.Build(first)));

        var second = new DagBuilder("semicolon");
        var ingest = second.Task("ingest", "ml.ingest", new { path = "data/semi.csv", separator = ";", categorical = new[] { "x1" } });
        second.Task("train", "ml.train", new { task = "binary", label = "label", holdout = 0 }).DependsOn(ingest);
        var result = await home.RunAsync(home.Build(second));

        MlHome.Succeeded(result);
        var dataset = MlHome.Output<DatasetOutput>(result, "ingest", MlOutputKinds.Dataset);
        Assert.Equal(["x1", "x2", "color", "label"], dataset.Columns);
        var model = MlHome.Output<ModelOutput>(result, "train", MlOutputKinds.Model);
        var version = await home.Store.Datasets.GetAsync(model.Dataset, default);
        Assert.NotNull(version);   // one version for both ingests: the same bytes
        var packages = new Orchestrator.ML.Models.ModelPackageReader();
        using var loaded = packages.Read(await home.Artifacts.GetLocalPathAsync(model.Artifact, default));
        Assert.Equal(Orchestrator.ML.Data.ColumnKind.Categorical, loaded.Signature.Inputs.Single(c => c.Name == "x1").Kind);
    }

    [Fact]
    public async Task A_gate_on_a_change_without_a_named_baseline_or_on_an_absent_metric_is_a_configuration_error()
    {
        await using var home = await MlHome.CreateAsync(sampleRows: 400);
        var dag = new DagBuilder("gates");
        var ingest = dag.Task("ingest", "ml.ingest", new { path = MlHome.TaxiPath });
        var train = dag.Task("train", "ml.train", new { task = "regression", label = "fare_amount", hyperparameters = new { numberOfTrees = 5 } }).DependsOn(ingest);
        var evaluate = dag.Task("evaluate", "ml.evaluate", new { metric = "r2" }).DependsOn(train);   // names no model
        dag.Task("change", "ml.gate", new { metric = "r2", minChange = 0 }).DependsOn(evaluate);
        dag.Task("absent", "ml.gate", new { metric = "auc", min = 0.5 }).DependsOn(evaluate);
        dag.Task("both", "ml.gate", new { metric = "r2", min = 0.99, policies = new[] { new { metric = "r2", min = 0.1 } } }).DependsOn(evaluate);
        dag.Task("policy_typo", "ml.gate", new { policies = new[] { new { metric = "r2", mx = 0.1 } } }).DependsOn(evaluate);

        var result = await home.RunAsync(home.Build(dag));

        Assert.Contains("args.minChange compares with the production model, but the upstream ml.evaluate names none", Failed(result, "change"), StringComparison.Ordinal);
        Assert.Contains("args.metric is 'auc', which the evaluation does not give for this regression model", Failed(result, "absent"), StringComparison.Ordinal);
        Assert.Contains("args.policies is given with a top-level metric", Failed(result, "both"), StringComparison.Ordinal);
        Assert.Contains("args.policies[0].mx is not an argument of ml.gate; did you mean 'max'?", Failed(result, "policy_typo"), StringComparison.Ordinal);
    }

    private static string Failed(Execution.LocalRuns.RunResult result, string task)
    {
        var summary = MlHome.Task(result, task);
        Assert.Equal(TaskInstanceState.Failed, summary.State);
        return summary.Reason!;
    }
}
