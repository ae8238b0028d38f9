namespace Orchestrator.ML.Evaluation;

/// <summary>Metric names as DESIGN.md spells them (the <c>metric</c> arg of <c>ml.gate</c>).</summary>
public static class MetricNames
{
    public const string R2 = "r2";
    public const string Rmse = "rmse";
    public const string Mae = "mae";
    public const string Mse = "mse";
    public const string Auc = "auc";
    public const string Auprc = "auprc";
    public const string F1 = "f1";
    public const string Accuracy = "accuracy";
    public const string Precision = "precision";
    public const string Recall = "recall";
    public const string LogLoss = "logLoss";
    public const string LogLossReduction = "logLossReduction";
    public const string MicroAccuracy = "microAccuracy";
    public const string MacroAccuracy = "macroAccuracy";
}
