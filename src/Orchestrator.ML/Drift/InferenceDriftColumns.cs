using System.Globalization;
using System.Text.Json;
using Orchestrator.ML.Data;

namespace Orchestrator.ML.Drift;

/// <summary>Turns logged serving inputs (one JSON object per row: column → value) into drift features. A value that is
/// null or absent is missing and dropped; a numeric feature takes a JSON number or a numeric string.</summary>
public static class InferenceDriftColumns
{
    /// <exception cref="InvalidDataException">A logged row is not a JSON object, or a numeric feature holds text.</exception>
    public static IReadOnlyList<DriftFeatureData> From(IEnumerable<string> inputs, IReadOnlyList<DatasetColumn> features)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(features);
        var numbers = features.Select(f => f.Kind == ColumnKind.Numeric ? new List<double>() : null).ToArray();
        var texts = features.Select(f => f.Kind == ColumnKind.Categorical ? new List<string>() : null).ToArray();
        var row = 0;
        foreach (var json in inputs)
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"logged row {row}: inputs are {document.RootElement.ValueKind}, expected a JSON object");
            for (var f = 0; f < features.Count; f++)
            {
                if (!document.RootElement.TryGetProperty(features[f].Name, out var value) || value.ValueKind == JsonValueKind.Null)
                    continue;
                if (numbers[f] is { } list)
                {
                    if (Number(value) is not { } number)
                        throw new InvalidDataException($"logged row {row}: '{features[f].Name}' is {value.GetRawText()}, expected a number");
                    list.Add(number);
                }
                else
                {
                    texts[f]!.Add(value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText());
                }
            }

            row++;
        }

        return [.. features.Select((feature, f) => numbers[f] is { } values
            ? DriftFeatureData.Numeric(feature.Name, [.. values])
            : DriftFeatureData.Categorical(feature.Name, [.. texts[f]!]))];
    }

    private static double? Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetDouble(out var n) && double.IsFinite(n) => n,
        JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) => n,
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        _ => null,
    };
}
