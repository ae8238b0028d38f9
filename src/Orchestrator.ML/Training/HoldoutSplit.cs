using Microsoft.ML;

namespace Orchestrator.ML.Training;

/// <summary>The one place that splits rows, so training and evaluation cut the file identically.</summary>
internal static class HoldoutSplit
{
    /// <summary>Splits the raw rows (before any row is dropped) with ML.NET's seeded TrainTestSplit.</summary>
    public static (IDataView Train, IDataView Holdout) Split(MLContext context, IDataView raw, HoldoutSpec spec)
    {
        var split = context.Data.TrainTestSplit(raw, spec.Fraction, samplingKeyColumnName: null, seed: spec.Seed);
        return (split.TrainSet, split.TestSet);
    }

    public static void Check(double fraction)
    {
        if (double.IsNaN(fraction) || fraction < 0 || fraction >= 1)
        {
            throw new ArgumentException($"holdout must be at least 0 and below 1; got {fraction}.");
        }
    }
}
