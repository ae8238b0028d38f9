using Microsoft.ML;
using Orchestrator.ML.Models;

namespace Orchestrator.ML.Evaluation;

/// <summary>ML.NET's evaluators for a task, with their results under DESIGN.md's metric names.</summary>
internal static class TaskMetrics
{
    /// <summary>Metrics of <paramref name="scored"/> (a model's output over rows with a prepared Label).</summary>
    public static Dictionary<string, double> Compute(MLContext context, IDataView scored, MlTask task, string where)
    {
        try
        {
            return task switch
            {
                MlTask.Regression => Regression(context, scored),
                MlTask.Binary => Binary(context, scored),
                _ => Multiclass(context, scored),
            };
        }
        catch (ArgumentOutOfRangeException error) when (task == MlTask.Binary)
        {
            // ML.NET refuses AUC when the rows hold one class only.
            throw new InvalidDataException($"{where}: the rows hold only one label value, so binary metrics are undefined ({error.Message}).", error);
        }
    }

    private static Dictionary<string, double> Regression(MLContext context, IDataView scored)
    {
        var metrics = context.Regression.Evaluate(scored, ModelColumns.Label, ModelColumns.Score);
        return new()
        {
            [MetricNames.R2] = metrics.RSquared,
            [MetricNames.Rmse] = metrics.RootMeanSquaredError,
            [MetricNames.Mae] = metrics.MeanAbsoluteError,
            [MetricNames.Mse] = metrics.MeanSquaredError,
        };
    }

    private static Dictionary<string, double> Binary(MLContext context, IDataView scored)
    {
        var metrics = context.BinaryClassification.Evaluate(
            scored, ModelColumns.Label, ModelColumns.Score, ModelColumns.Probability, ModelColumns.PredictedLabel);
        return new()
        {
            [MetricNames.Auc] = metrics.AreaUnderRocCurve,
            [MetricNames.Auprc] = metrics.AreaUnderPrecisionRecallCurve,
            [MetricNames.F1] = metrics.F1Score,
            [MetricNames.Accuracy] = metrics.Accuracy,
            [MetricNames.Precision] = metrics.PositivePrecision,
            [MetricNames.Recall] = metrics.PositiveRecall,
            [MetricNames.LogLoss] = metrics.LogLoss,
            [MetricNames.LogLossReduction] = metrics.LogLossReduction,
        };
    }

    private static Dictionary<string, double> Multiclass(MLContext context, IDataView scored)
    {
        var metrics = context.MulticlassClassification.Evaluate(scored, ModelColumns.Label, ModelColumns.Score, ModelColumns.PredictedLabel);
        return new()
        {
            [MetricNames.MicroAccuracy] = metrics.MicroAccuracy,
            [MetricNames.MacroAccuracy] = metrics.MacroAccuracy,
            [MetricNames.LogLoss] = metrics.LogLoss,
            [MetricNames.LogLossReduction] = metrics.LogLossReduction,
        };
    }
}
