using System.Text.Json;

namespace Orchestrator.Application.Queries.Ml;

/// <summary>Reads the schema and profile JSON <c>ml.ingest</c> stores with a dataset version (Orchestrator.ML's
/// <c>DatasetSchemaJson</c> and <c>DatasetProfile.ToJson</c>: camelCase, kinds in lower case) into the answer's
/// shape. Lenient: a part that is missing or of another type is left out rather than failing the page.</summary>
internal static class DatasetProfileJson
{
    public static IReadOnlyList<DatasetColumnView> Columns(string schemaJson)
    {
        using var document = TryParse(schemaJson);
        if (document is null || !TryArray(document.RootElement, "columns", out var columns))
        {
            return [];
        }

        return [.. columns.EnumerateArray()
            .Where(column => column.ValueKind == JsonValueKind.Object)
            .Select(column => new DatasetColumnView(Text(column, "name") ?? "", Text(column, "kind") ?? ""))];
    }

    public static DatasetProfileView Profile(string profileJson)
    {
        using var document = TryParse(profileJson);
        if (document is null || document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return new DatasetProfileView(0, []);
        }

        var root = document.RootElement;
        var columns = TryArray(root, "columns", out var found)
            ? found.EnumerateArray().Where(column => column.ValueKind == JsonValueKind.Object).Select(Column).ToList()
            : [];
        return new DatasetProfileView(Long(root, "rows") ?? 0, columns);
    }

    private static ColumnProfileView Column(JsonElement column)
    {
        var numeric = Object(column, "numeric");
        var categorical = Object(column, "categorical");
        var exact = numeric is { } n ? Bool(n, "exact") ?? false
            : categorical is { } c && !(Bool(c, "distinctIsLowerBound") ?? true) && !(Bool(c, "countsAreApproximate") ?? true);
        return new ColumnProfileView(
            Text(column, "name") ?? "",
            Text(column, "kind") ?? "",
            Long(column, "count") ?? 0,
            Long(column, "missing") ?? 0,
            numeric is { } withDistinct ? Long(withDistinct, "distinct") : categorical is { } cat ? Long(cat, "distinct") : null,
            exact,
            numeric is { } min ? Double(min, "min") : null,
            numeric is { } max ? Double(max, "max") : null,
            numeric is { } mean ? Double(mean, "mean") : null,
            numeric is { } std ? Double(std, "std") : null,
            numeric is { } q && Object(q, "quantiles") is { } quantiles ? Quantiles(quantiles) : null,
            numeric is { } h && Object(h, "histogram") is { } histogram ? Histogram(histogram) : null,
            categorical is { } t && TryArray(t, "top", out var top)
                ? [.. top.EnumerateArray().Where(value => value.ValueKind == JsonValueKind.Object)
                    .Select(value => new TopValueView(Text(value, "value") ?? "", Long(value, "count") ?? 0))]
                : null,
            categorical is { } other ? Long(other, "otherCount") : null);
    }

    private static Dictionary<string, double> Quantiles(JsonElement quantiles) =>
        quantiles.EnumerateObject()
            .Where(level => level.Value.ValueKind == JsonValueKind.Number)
            .ToDictionary(level => level.Name, level => level.Value.GetDouble(), StringComparer.Ordinal);

    private static HistogramView? Histogram(JsonElement histogram) =>
        TryArray(histogram, "edges", out var edges) && TryArray(histogram, "counts", out var counts)
            ? new HistogramView(
                [.. edges.EnumerateArray().Where(edge => edge.ValueKind == JsonValueKind.Number).Select(edge => edge.GetDouble())],
                [.. counts.EnumerateArray().Where(count => count.ValueKind == JsonValueKind.Number).Select(count => count.GetInt64())])
            : null;

    private static JsonDocument? TryParse(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryArray(JsonElement element, string name, out JsonElement array)
    {
        array = default;
        return element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out array) && array.ValueKind == JsonValueKind.Array;
    }

    private static JsonElement? Object(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Long(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    private static double? Double(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;

    private static bool? Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;
}
