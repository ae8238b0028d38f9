using Orchestrator.ML.Data;
using Orchestrator.ML.Evaluation;
using Orchestrator.ML.Models;
using Orchestrator.ML.Tests.Training;
using Orchestrator.ML.Training;

namespace Orchestrator.ML.Tests.Evaluation;

public sealed class ModelEvaluatorTests : IDisposable
{
    private static readonly Dictionary<string, object?> FewTrees = new() { ["numberOfTrees"] = 10, ["numberOfLeaves"] = 4 };
    private readonly TrainingData data = new();

    public void Dispose() => data.Dispose();

    [Fact]
    public void Candidate_and_baseline_are_scored_on_the_same_holdout_rows()
    {
        var dataset = data.Taxi();
        var candidate = new ModelTrainer().Train(TrainingData.TaxiRequest(dataset) with { Hyperparameters = FewTrees });
        var baseline = new ModelTrainer().Train(TrainingData.TaxiRequest(dataset, TrainerCatalog.Sdca) with { Features = ["trip_distance", "vendor_id"] });
        using var candidateModel = candidate.Model;
        using var baselineModel = baseline.Model;

        var comparison = ModelEvaluator.Compare(candidate.Model, baseline.Model, dataset, candidate.Holdout);
        Assert.True(comparison.Baseline!.Available);
        Assert.Equal(candidate.HoldoutRows, comparison.Baseline.Rows);
        Assert.Equal(candidate.HoldoutMetrics, comparison.Candidate.Metrics);
        Assert.NotEqual(comparison.Candidate.Metrics[MetricNames.Rmse], comparison.Baseline.Metrics[MetricNames.Rmse]);
    }

    [Fact]
    public void Packages_compare_on_a_whole_dataset_and_a_missing_baseline_is_null()
    {
        var result = new ModelTrainer().Train(TrainingData.TaxiRequest(data.Taxi()) with { Hyperparameters = FewTrees });
        var path = Path.Combine(data.Folder, "candidate.mlpkg");
        ModelPackageWriter.Write(result.Model, path);
        result.Model.Dispose();
        var test = data.Taxi(rows: 500, name: "test.csv");

        var comparison = ModelEvaluator.Compare(path, null, test);
        Assert.Null(comparison.Baseline);
        Assert.Equal(500, comparison.Candidate.Rows);
        Assert.True(comparison.Candidate.Metrics[MetricNames.R2] > 0.5);
    }

    [Fact]
    public void A_baseline_needing_a_column_the_rows_lack_is_unavailable_with_the_reason()
    {
        var dataset = data.Taxi();
        var extended = WithExtraColumn(dataset);
        using var baseline = new ModelTrainer().Train(TrainingData.TaxiRequest(extended) with { Hyperparameters = FewTrees }).Model;
        using var candidate = new ModelTrainer().Train(TrainingData.TaxiRequest(dataset) with { Hyperparameters = FewTrees }).Model;

        var comparison = ModelEvaluator.Compare(candidate, baseline, dataset);
        Assert.True(comparison.Candidate.Available);
        Assert.False(comparison.Baseline!.Available);
        Assert.Contains("the baseline needs 'tip'", comparison.Baseline.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_baseline_for_another_task_or_an_unreadable_package_is_unavailable()
    {
        var classes = data.Classes();
        using var binary = new ModelTrainer().Train(new TrainRequest(classes, MlTask.Binary, "flag", Ignore: ["binary", "multiclass"])).Model;
        using var multiclass = new ModelTrainer().Train(new TrainRequest(classes, MlTask.Multiclass, "multiclass", Ignore: ["binary", "flag"])).Model;
        var otherTask = ModelEvaluator.Compare(binary, multiclass, classes);
        Assert.Contains("the baseline is a multiclass model and the candidate a binary one", otherTask.Baseline!.Reason, StringComparison.Ordinal);

        var candidatePath = Path.Combine(data.Folder, "binary.mlpkg");
        ModelPackageWriter.Write(binary, candidatePath);
        var junk = Path.Combine(data.Folder, "junk.mlpkg");
        File.WriteAllText(junk, "junk");
        var unreadable = ModelEvaluator.Compare(candidatePath, junk, classes);
        Assert.True(unreadable.Candidate.Available);
        Assert.False(unreadable.Baseline!.Available);
        Assert.Contains("junk.mlpkg", unreadable.Baseline.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_whose_class_the_model_never_saw_are_skipped_and_counted()
    {
        var train = data.Classes();
        using var model = new ModelTrainer().Train(new TrainRequest(train, MlTask.Multiclass, "multiclass", TrainerCatalog.LogisticRegression, Ignore: ["binary", "flag"])).Model;
        var lines = File.ReadAllLines(train.Path).Take(101).ToList();
        lines.Add("1.5,\"red\",2,no,0,unheard");
        var path = Path.Combine(data.Folder, "unseen.csv");
        File.WriteAllLines(path, lines);

        var evaluation = ModelEvaluator.Evaluate(model, train with { Path = path });
        Assert.Equal(100, evaluation.Rows);
        Assert.Equal(1, evaluation.SkippedRows);
        Assert.InRange(evaluation.Metrics[MetricNames.MacroAccuracy], 0.3, 1);
    }

    [Fact]
    public void A_candidate_that_cannot_read_the_rows_is_an_error_naming_the_column()
    {
        var extended = WithExtraColumn(data.Taxi());
        using var model = new ModelTrainer().Train(TrainingData.TaxiRequest(extended) with { Hyperparameters = FewTrees }).Model;
        var error = Assert.Throws<ArgumentException>(() => ModelEvaluator.Evaluate(model, data.Taxi(rows: 10, name: "plain.csv")));
        Assert.Contains("has no column 'tip'", error.Message, StringComparison.Ordinal);
    }

    private DatasetSource WithExtraColumn(DatasetSource dataset)
    {
        var path = Path.Combine(data.Folder, "with-tip.csv");
        File.WriteAllLines(path, File.ReadLines(dataset.Path).Select((line, index) => line + (index == 0 ? ",tip" : $",{index % 5}")));
        return new DatasetSource(path, new DatasetSchema([.. dataset.Schema.Columns, new DatasetColumn("tip", ColumnKind.Numeric)]), dataset.Format);
    }
}
