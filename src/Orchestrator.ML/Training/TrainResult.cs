using Orchestrator.ML.Models;

namespace Orchestrator.ML.Training;

/// <summary>A trained model and what the run should record about it.</summary>
/// <remarks>Model: The trained pipeline; write it with <see cref="ModelPackageWriter"/>. The caller disposes it. HoldoutMetrics: Metrics on the holdout rows (DESIGN.md names); empty when <see cref="Holdout"/> is null. Holdout: How to re-create the holdout rows; null when the request kept none. SkippedRows: Rows dropped because their label was missing (or, when evaluating, not a known class).</remarks>
public sealed record TrainResult(
    MlNetModel Model,
    ModelSignature Signature,
    string Trainer,
    IReadOnlyDictionary<string, object?> Hyperparameters,
    IReadOnlyDictionary<string, double> HoldoutMetrics,
    HoldoutSpec? Holdout,
    long TrainingRows,
    long HoldoutRows,
    long SkippedRows,
    TimeSpan Elapsed);
