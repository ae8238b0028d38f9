using Orchestrator.ML.Data;
using Orchestrator.ML.Models;

namespace Orchestrator.ML.Training;

/// <summary>What <c>ml.train</c> asks for (DESIGN.md: <c>task, label, trainer?, features?, categorical?, ignore?,
/// hyperparameters?, holdout?: 0.2, seed?</c>) plus the dataset it trains on.</summary>
/// <remarks>Features: the input columns (default: every column but the label and Ignore). Categorical: columns to
/// one-hot encode even though the schema says numeric. Hyperparameters: trainer options by name (camelCase or
/// PascalCase); values are numbers, booleans or strings, as CLR values or JsonElements straight from the task args.
/// Holdout: the share of rows kept out of training for the holdout metrics; 0 keeps none.</remarks>
public sealed record TrainRequest(
    DatasetSource Dataset,
    MlTask Task,
    string Label,
    string? Trainer = null,
    IReadOnlyList<string>? Features = null,
    IReadOnlyList<string>? Categorical = null,
    IReadOnlyList<string>? Ignore = null,
    IReadOnlyDictionary<string, object?>? Hyperparameters = null,
    double Holdout = 0.2,
    int Seed = 0);

/// <summary>A CSV file and how to read it.</summary>
public sealed record DatasetSource(string Path, DatasetSchema Schema, CsvFormat Format);
