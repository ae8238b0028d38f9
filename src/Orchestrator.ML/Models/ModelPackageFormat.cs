using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.ML.Data;

namespace Orchestrator.ML.Models;

/// <summary>The model package: one zip holding <c>signature.json</c> (format version, task, label, classes, inputs in
/// feature order, trainer) and <c>model.zip</c> (the ML.NET model, itself a zip, saved with its input schema).
/// Readers refuse a format version they do not know rather than guess.</summary>
public static class ModelPackageFormat
{
    public const int Version = 1;
    public const string SignatureEntry = "signature.json";
    public const string ModelEntry = "model.zip";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}

/// <summary>The JSON form of <see cref="ModelSignature"/> inside a package (kept apart from the record so the file
/// format does not change when the record grows).</summary>
internal sealed record SignatureDocument(
    int FormatVersion,
    MlTask Task,
    string Label,
    IReadOnlyList<SignatureInput> Inputs,
    IReadOnlyList<string>? Classes,
    string? Trainer)
{
    public static SignatureDocument From(ModelSignature signature, string? trainer) => new(
        ModelPackageFormat.Version,
        signature.Task,
        signature.Label,
        [.. signature.Inputs.Select(input => new SignatureInput(input.Name, input.Kind))],
        signature.Classes,
        trainer);

    public ModelSignature ToSignature() =>
        new(Task, Label, [.. Inputs.Select(input => new DatasetColumn(input.Name, input.Kind))], Classes);
}

internal sealed record SignatureInput(string Name, ColumnKind Kind);
