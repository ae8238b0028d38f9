using Orchestrator.ML.Evaluation;

namespace Orchestrator.ML.Monitoring;

/// <summary>Which way a metric improves, so a drop can be measured the right way round.</summary>
public static class MetricDirection
{
    private static readonly HashSet<string> LowerIsBetter = new(StringComparer.Ordinal)
    {
        MetricNames.Rmse, MetricNames.Mae, MetricNames.Mse, MetricNames.LogLoss,
    };

    private static readonly HashSet<string> HigherIsBetter = new(StringComparer.Ordinal)
    {
        MetricNames.R2, MetricNames.Auc, MetricNames.Auprc, MetricNames.F1, MetricNames.Accuracy, MetricNames.Precision,
        MetricNames.Recall, MetricNames.LogLossReduction, MetricNames.MicroAccuracy, MetricNames.MacroAccuracy,
    };

    /// <summary>True when a larger value is better; null for a name no evaluator gives.</summary>
    public static bool? HigherIsBetterFor(string metric) =>
        HigherIsBetter.Contains(metric) ? true : LowerIsBetter.Contains(metric) ? false : null;

    /// <summary>How much worse <paramref name="live"/> is than <paramref name="baseline"/>, relative to the baseline's
    /// size: 0.1 is 10 % worse, negative is better. Null when the baseline is 0 (no relative scale).</summary>
    public static double? RelativeDrop(string metric, double live, double baseline)
    {
        var higher = HigherIsBetterFor(metric) ?? throw new ArgumentException($"'{metric}' is not a known metric", nameof(metric));
        if (baseline == 0)
        {
            return null;
        }

        var worse = higher ? baseline - live : live - baseline;
        return worse / Math.Abs(baseline);
    }
}
