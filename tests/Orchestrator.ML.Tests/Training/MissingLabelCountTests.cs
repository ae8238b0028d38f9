using Orchestrator.ML.Evaluation;
using Orchestrator.ML.Models;
using Orchestrator.ML.Training;

namespace Orchestrator.ML.Tests.Training;

/// <summary>Rows without a label are counted by the same pass that reads the rows into memory (no parse of their
/// own): training, whole-dataset evaluation and holdout evaluation must still count every one of them.</summary>
public sealed class MissingLabelCountTests : IDisposable
{
    private static readonly Dictionary<string, object?> FewTrees = new() { ["numberOfTrees"] = 10, ["numberOfLeaves"] = 4 };
    private readonly TrainingData data = new();

    public void Dispose() => data.Dispose();

    [Fact]
    public void Regression_counts_every_missing_label_in_training_and_evaluation()
    {
        var intact = data.Taxi(rows: 1000);
        var holey = WithoutLabelEveryTenthRow(intact, labelIndex: 6);
        var request = TrainingData.TaxiRequest(holey) with { Hyperparameters = FewTrees };

        AssertCounts(request, intact, rows: 1000, missing: 100);
    }

    [Fact]
    public void Classification_counts_every_missing_label_in_training_and_evaluation()
    {
        // Classes() leaves the binary label empty on rows 5, 102, 199, …: 10 of 900.
        var dataset = data.Classes();
        var request = new TrainRequest(dataset, MlTask.Binary, "binary", TrainerCatalog.FastTree, Ignore: ["flag", "multiclass"], Hyperparameters: FewTrees);
        var intact = new TrainRequest(dataset, MlTask.Multiclass, "multiclass", TrainerCatalog.FastTree, Ignore: ["flag", "binary"], Hyperparameters: FewTrees);

        AssertCounts(request, intact.Dataset, rows: 900, missing: 10, intactRequest: intact);
    }

    private static void AssertCounts(TrainRequest request, DatasetSource intact, long rows, long missing, TrainRequest? intactRequest = null)
    {
        var whole = new ModelTrainer().Train(request with { Holdout = 0 });
        using (whole.Model)
        {
            Assert.Equal(missing, whole.SkippedRows);
            Assert.Equal(rows - missing, whole.TrainingRows);
            var evaluation = ModelEvaluator.Evaluate(whole.Model, request.Dataset);
            Assert.Equal(rows - missing, evaluation.Rows);
            Assert.Equal(missing, evaluation.SkippedRows);
        }

        var split = new ModelTrainer().Train(request);
        using var model = split.Model;
        Assert.Equal(missing, split.SkippedRows);
        Assert.Equal(rows - missing, split.TrainingRows + split.HoldoutRows);
        var holdout = ModelEvaluator.Evaluate(model, split.Holdout!);
        Assert.Equal(split.HoldoutRows, holdout.Rows);
        Assert.Equal(split.HoldoutMetrics, holdout.Metrics);

        // The holdout is cut before rows are dropped, so a model with a complete label (same file and seed, or the
        // intact file) sees all of the holdout's rows: the skipped ones are exactly the rest.
        var reference = new ModelTrainer().Train(intactRequest ?? request with { Dataset = intact });
        using var referenceModel = reference.Model;
        Assert.Equal(0, reference.SkippedRows);
        var allHoldoutRows = reference.HoldoutRows;
        Assert.Equal(allHoldoutRows - holdout.Rows, holdout.SkippedRows);
        Assert.True(holdout.SkippedRows > 0, "the sample should put some unlabelled rows in the holdout");
    }

    private DatasetSource WithoutLabelEveryTenthRow(DatasetSource source, int labelIndex)
    {
        var lines = File.ReadAllLines(source.Path);
        for (var i = 10; i < lines.Length; i += 10)
        {
            var fields = lines[i].Split(',');
            fields[labelIndex] = string.Empty;
            lines[i] = string.Join(',', fields);
        }

        var path = Path.Combine(data.Folder, "holey.csv");
        File.WriteAllLines(path, lines);
        return source with { Path = path };
    }
}
