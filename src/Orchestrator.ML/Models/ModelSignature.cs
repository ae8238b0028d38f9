using Orchestrator.ML.Data;

namespace Orchestrator.ML.Models;

/// <summary>The kind of prediction a model makes (the <c>task</c> arg of <c>ml.train</c>).</summary>
public enum MlTask
{
    Regression,
    Binary,
    Multiclass,
}

/// <summary>What a model takes and gives: its input columns (the features, in the order a <see cref="ModelRow"/>
/// carries them), the label it predicts, and for classifiers the label's values. Stored with every model version and
/// checked against every scoring request.</summary>
public sealed record ModelSignature(MlTask Task, string Label, IReadOnlyList<DatasetColumn> Inputs, IReadOnlyList<string>? Classes = null)
{
    /// <summary>The numeric inputs, in <see cref="ModelRow.Numeric"/> order.</summary>
    public IReadOnlyList<DatasetColumn> NumericInputs => [.. Inputs.Where(column => column.Kind == ColumnKind.Numeric)];

    /// <summary>The categorical inputs, in <see cref="ModelRow.Categorical"/> order.</summary>
    public IReadOnlyList<DatasetColumn> CategoricalInputs => [.. Inputs.Where(column => column.Kind == ColumnKind.Categorical)];
}

/// <summary>One row to score: numeric features (NaN for missing) and categorical features (null for missing), each in
/// the order of <see cref="ModelSignature.NumericInputs"/> / <see cref="ModelSignature.CategoricalInputs"/>.</summary>
public sealed record ModelRow(float[] Numeric, string?[] Categorical);

/// <summary>One prediction. Regression: <see cref="Value"/>. Binary: <see cref="Label"/> ("true"/"false" or the label's
/// own values), <see cref="Probability"/> and <see cref="Score"/>. Multiclass: <see cref="Label"/> and per-class
/// <see cref="Scores"/> in <see cref="ModelSignature.Classes"/> order.</summary>
public readonly record struct Prediction(double? Value, string? Label, double? Probability, double? Score, float[]? Scores);

/// <summary>Scores rows with one loaded model. Not thread-safe (it wraps an ML.NET PredictionEngine): one per thread
/// at a time; pool them.</summary>
public interface IModelScorer
{
    ModelSignature Signature { get; }

    Prediction Predict(ModelRow row);
}

/// <summary>A model package read into memory: its signature and a factory of scorers sharing one trained pipeline.</summary>
public interface ILoadedModel : IDisposable
{
    ModelSignature Signature { get; }

    IModelScorer CreateScorer();
}

/// <summary>Reads a model package file (as <c>ml.train</c> writes it and the artifact store keeps it) into memory.
/// Throws <see cref="InvalidDataException"/> naming the file when it is not a model package.</summary>
public interface IModelPackageReader
{
    ILoadedModel Read(string path);
}
