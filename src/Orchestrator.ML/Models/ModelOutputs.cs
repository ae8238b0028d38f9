using Microsoft.ML.Data;

namespace Orchestrator.ML.Models;

/// <summary>What a regression pipeline gives per row.</summary>
internal sealed class RegressionOutput
{
    [ColumnName(ModelColumns.Score)]
    public float Score { get; set; }
}

/// <summary>What a binary pipeline gives per row (every binary pipeline is calibrated, so Probability exists).</summary>
internal sealed class BinaryOutput
{
    [ColumnName(ModelColumns.PredictedLabel)]
    public bool PredictedLabel { get; set; }

    [ColumnName(ModelColumns.Score)]
    public float Score { get; set; }

    [ColumnName(ModelColumns.Probability)]
    public float Probability { get; set; }
}

/// <summary>What a multiclass pipeline gives per row: one score per class, in key order (= signature Classes order).
/// PredictedLabel is a key column; the argmax of Score is the same thing without binding key types.</summary>
internal sealed class MulticlassOutput
{
    [ColumnName(ModelColumns.Score)]
    public float[] Score { get; set; } = [];
}
