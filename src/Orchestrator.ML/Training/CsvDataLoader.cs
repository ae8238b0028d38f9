using Microsoft.ML;
using Microsoft.ML.Data;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;

namespace Orchestrator.ML.Training;

/// <summary>Reads a CSV file into the model's input layout without materialising rows: a TextLoader whose
/// <c>Numeric</c> and <c>Categorical</c> vector columns gather the signature's inputs (in signature order) straight
/// from their file positions, plus the raw label (a number for regression, text for classifiers).</summary>
internal static class CsvDataLoader
{
    /// <summary>The raw label column for classifiers, before it becomes a boolean or key <c>Label</c>.</summary>
    public const string LabelText = "LabelText";

    /// <summary>The signature's columns (inputs, then the label) that the dataset's schema lacks.</summary>
    public static IReadOnlyList<string> MissingColumns(DatasetSchema schema, ModelSignature signature) =>
        [.. signature.Inputs.Select(input => input.Name).Append(signature.Label).Where(name => schema.IndexOf(name) < 0)];

    public static IDataView Load(MLContext context, DatasetSource source, ModelSignature signature)
    {
        var missing = MissingColumns(source.Schema, signature);
        if (missing.Count > 0)
        {
            throw new ArgumentException(
                $"Dataset '{source.Path}' has no column {string.Join(", ", missing.Select(name => $"'{name}'"))}; it has {Describe(source.Schema)}.");
        }

        var columns = new List<TextLoader.Column>();
        AddVector(columns, ModelColumns.Numeric, DataKind.Single, signature.NumericInputs, source.Schema);
        AddVector(columns, ModelColumns.Categorical, DataKind.String, signature.CategoricalInputs, source.Schema);
        var labelIndex = source.Schema.IndexOf(signature.Label);
        columns.Add(signature.Task == MlTask.Regression
            ? new TextLoader.Column(ModelColumns.Label, DataKind.Single, labelIndex)
            : new TextLoader.Column(LabelText, DataKind.String, labelIndex));

        var loader = context.Data.CreateTextLoader(new TextLoader.Options
        {
            Columns = [.. columns],
            Separators = [source.Format.Separator],
            HasHeader = source.Format.HasHeader,
            AllowQuoting = true,
            // RFC 4180: a quoted field may span lines.
            ReadMultilines = true,
            // An empty number is missing (then replaced by the training mean), not zero.
            MissingRealsAsNaNs = true,
            TrimWhitespace = false,
        });
        return loader.Load(source.Path);
    }

    public static string Describe(DatasetSchema schema) =>
        string.Join(", ", schema.Columns.Select(column => $"'{column.Name}'"));

    private static void AddVector(List<TextLoader.Column> columns, string name, DataKind kind, IReadOnlyList<DatasetColumn> inputs, DatasetSchema schema)
    {
        if (inputs.Count > 0)
        {
            // One range per input keeps the slots in signature order, whatever the file order is; ForceVector keeps a
            // single input a vector of size 1, as the scorer feeds it.
            columns.Add(new TextLoader.Column(name, kind, [.. inputs.Select(input => new TextLoader.Range(schema.IndexOf(input.Name)) { ForceVector = true })]));
        }
    }
}
