using Orchestrator.ML.Evaluation;
using Orchestrator.ML.Models;
using Orchestrator.ML.Training;

namespace Orchestrator.ML.Tests.Training;

/// <summary>Every trainer on every task it supports: trains, predicts through a written package, and gives the same
/// metrics (to 6 decimals) when run again with the same seed.</summary>
public sealed class TrainerMatrixTests : IDisposable
{
    private readonly TrainingData data = new();

    public void Dispose() => data.Dispose();

    public static TheoryData<string, MlTask> Combinations()
    {
        var combinations = new TheoryData<string, MlTask>();
        foreach (var trainer in TrainerCatalog.Names)
        {
            foreach (var task in Enum.GetValues<MlTask>().Where(task => TrainerCatalog.Supports(trainer, task)))
            {
                combinations.Add(trainer, task);
            }
        }

        return combinations;
    }

    [Fact]
    public void The_matrix_covers_all_five_trainers_and_only_logistic_regression_skips_regression()
    {
        Assert.Equal(14, Combinations().Count);
        Assert.False(TrainerCatalog.Supports("logisticRegression", MlTask.Regression));
    }

    [Theory]
    [MemberData(nameof(Combinations))]
    public void Trains_predicts_and_reproduces(string trainer, MlTask task)
    {
        var request = Request(trainer, task);
        var first = new ModelTrainer().Train(request);
        var second = new ModelTrainer().Train(request);
        using var firstModel = first.Model;
        using var secondModel = second.Model;

        Assert.Equal(trainer, first.Trainer);
        Assert.Equal(ExpectedMetrics(task), first.HoldoutMetrics.Keys.Order(StringComparer.Ordinal));
        Assert.All(first.HoldoutMetrics.Values, value => Assert.True(double.IsFinite(value), $"{trainer}/{task}: a metric is {value}"));
        Assert.Equal(Rounded(first.HoldoutMetrics), Rounded(second.HoldoutMetrics));
        Assert.Equal(first.TrainingRows, second.TrainingRows);
        Assert.True(first.HoldoutRows > 100);
        Assert.True(Quality(task, first.HoldoutMetrics), $"{trainer}/{task} learnt little: {string.Join(", ", first.HoldoutMetrics)}");

        var path = Path.Combine(data.Folder, $"{trainer}-{task}.mlpkg");
        ModelPackageWriter.Write(first.Model, path);
        using var loaded = new ModelPackageReader().Read(path);
        var prediction = loaded.CreateScorer().Predict(Row(task));
        Assert.Equal(first.Model.CreateScorer().Predict(Row(task)).ToString(), prediction.ToString());
        switch (task)
        {
            case MlTask.Regression:
                Assert.True(prediction.Value > 0);
                break;
            case MlTask.Binary:
                Assert.Contains(prediction.Label, new[] { "no", "yes" });
                Assert.InRange(prediction.Probability!.Value, 0, 1);
                break;
            default:
                Assert.Contains(prediction.Label, new[] { "high", "low", "mid" });
                Assert.Equal(3, prediction.Scores!.Length);
                break;
        }
    }

    private TrainRequest Request(string trainer, MlTask task) => task switch
    {
        MlTask.Regression => TrainingData.TaxiRequest(data.Taxi(), trainer, seed: 7),
        MlTask.Binary => new TrainRequest(data.Classes(), task, "binary", trainer, Ignore: ["flag", "multiclass"], Seed: 7),
        _ => new TrainRequest(data.Classes(), task, "multiclass", trainer, Ignore: ["flag", "binary"], Seed: 7),
    };

    private static ModelRow Row(MlTask task) => task == MlTask.Regression
        ? new ModelRow([1, 1, 600, 2.5f], ["CMT", "CRD"])
        : new ModelRow([4.2f, 1.1f], ["green"]);

    private static IEnumerable<string> ExpectedMetrics(MlTask task) => (task switch
    {
        MlTask.Regression => new[] { MetricNames.R2, MetricNames.Rmse, MetricNames.Mae, MetricNames.Mse },
        MlTask.Binary => [MetricNames.Auc, MetricNames.Auprc, MetricNames.F1, MetricNames.Accuracy, MetricNames.Precision, MetricNames.Recall, MetricNames.LogLoss, MetricNames.LogLossReduction],
        _ => [MetricNames.MicroAccuracy, MetricNames.MacroAccuracy, MetricNames.LogLoss, MetricNames.LogLossReduction],
    }).Order(StringComparer.Ordinal);

    private static bool Quality(MlTask task, IReadOnlyDictionary<string, double> metrics) => task switch
    {
        MlTask.Regression => metrics[MetricNames.R2] > 0.5,
        MlTask.Binary => metrics[MetricNames.Auc] > 0.8,
        _ => metrics[MetricNames.MicroAccuracy] > 0.6,
    };

    private static string[] Rounded(IReadOnlyDictionary<string, double> metrics) =>
        [.. metrics.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value:F6}")];
}
