using System.Text.Json;
using Orchestrator.ML.Data;

namespace Orchestrator.ML.Validation;

/// <summary>Declared expectations, e.g.
/// <c>{"minRows": 1000, "columns": {"fare_amount": {"min": 0, "max": 500, "maxMissing": 0},
/// "payment_type": {"values": ["CRD", "CSH"]}}}</c>. Every column named must exist.</summary>
public sealed record DatasetExpectations(long? MinRows, long? MaxRows, IReadOnlyDictionary<string, ColumnExpectation> Columns)
{
    private static readonly string[] TopLevelKeys = ["minRows", "maxRows", "columns"];
    private static readonly string[] ColumnKeys = ["kind", "min", "max", "maxMissing", "values", "maxUnseenShare"];

    /// <summary>Parses the JSON form above. Unknown keys, wrong types and out-of-range shares are
    /// <see cref="FormatException"/>s naming the key path (e.g. <c>columns.fare_amount.mn</c>).</summary>
    public static DatasetExpectations FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException exception)
        {
            throw new FormatException($"expectations JSON is invalid (line {exception.LineNumber + 1}): {exception.Message}", exception);
        }

        using (document)
        {
            var root = Object(document.RootElement, "expectations");
            CheckKeys(root, TopLevelKeys, "expectations");
            var columns = new Dictionary<string, ColumnExpectation>(StringComparer.Ordinal);
            if (root.TryGetProperty("columns", out var columnsElement))
            {
                foreach (var column in Object(columnsElement, "columns").EnumerateObject())
                {
                    columns[column.Name] = ParseColumn(column.Value, $"columns.{column.Name}");
                }
            }

            return new DatasetExpectations(
                OptionalCount(root, "minRows", "minRows"),
                OptionalCount(root, "maxRows", "maxRows"),
                columns);
        }
    }

    private static ColumnExpectation ParseColumn(JsonElement element, string path)
    {
        Object(element, path);
        CheckKeys(element, ColumnKeys, path);
        ColumnKind? kind = null;
        if (element.TryGetProperty("kind", out var kindElement))
        {
            kind = kindElement.ValueKind == JsonValueKind.String ? kindElement.GetString() switch
            {
                "numeric" => ColumnKind.Numeric,
                "categorical" => ColumnKind.Categorical,
                _ => null,
            } : null;
            if (kind is null)
            {
                throw new FormatException($"expectations: {path}.kind must be \"numeric\" or \"categorical\"");
            }
        }

        IReadOnlyList<string>? values = null;
        if (element.TryGetProperty("values", out var valuesElement))
        {
            if (valuesElement.ValueKind != JsonValueKind.Array || valuesElement.EnumerateArray().Any(value => value.ValueKind != JsonValueKind.String))
            {
                throw new FormatException($"expectations: {path}.values must be an array of strings");
            }

            values = valuesElement.EnumerateArray().Select(value => value.GetString()!).ToList();
        }

        var min = OptionalNumber(element, "min", path);
        var max = OptionalNumber(element, "max", path);
        if (min > max)
        {
            throw new FormatException($"expectations: {path}.min ({min}) is above {path}.max ({max})");
        }

        return new ColumnExpectation(kind, min, max, OptionalShare(element, "maxMissing", path), values, OptionalShare(element, "maxUnseenShare", path) ?? 0);
    }

    private static JsonElement Object(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Object ? element : throw new FormatException($"expectations: {path} must be an object");

    private static void CheckKeys(JsonElement element, string[] allowed, string path)
    {
        foreach (var property in element.EnumerateObject().Where(property => !allowed.Contains(property.Name, StringComparer.Ordinal)))
        {
            throw new FormatException($"expectations: unknown key {path}.{property.Name} (expected one of {string.Join(", ", allowed)})");
        }
    }

    private static double? OptionalNumber(JsonElement element, string key, string path)
    {
        if (!element.TryGetProperty(key, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number ? value.GetDouble() : throw new FormatException($"expectations: {path}.{key} must be a number");
    }

    private static double? OptionalShare(JsonElement element, string key, string path)
    {
        var share = OptionalNumber(element, key, path);
        return share is null or (>= 0 and <= 1) ? share : throw new FormatException($"expectations: {path}.{key} is a share of rows and must be within 0..1, got {share}");
    }

    private static long? OptionalCount(JsonElement element, string key, string path)
    {
        if (!element.TryGetProperty(key, out var value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var count) && count >= 0
            ? count
            : throw new FormatException($"expectations: {path} must be a whole number >= 0");
    }
}

/// <summary>What one column must satisfy. <see cref="MaxMissing"/> and <see cref="MaxUnseenShare"/> are shares (0..1)
/// of the column's rows and present values. <see cref="Values"/> lists the allowed categories: a value outside it,
/// or any value the profile could not list (beyond its top values), counts against <see cref="MaxUnseenShare"/>
/// (default 0: none allowed).</summary>
public sealed record ColumnExpectation(
    ColumnKind? Kind = null,
    double? Min = null,
    double? Max = null,
    double? MaxMissing = null,
    IReadOnlyList<string>? Values = null,
    double MaxUnseenShare = 0);
