using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Secrets.Masking;

/// <summary>A run's conf and params under the sensitive-name rules: the values of sensitive keys, at any depth, are
/// told to a try's masker (so they are hidden wherever the try's text shows them) and replaced by <c>***</c> where
/// conf itself is displayed. Everything under a sensitive key counts as secret (its nested strings and numbers).</summary>
public static class SensitiveConf
{
    /// <summary>Tells <paramref name="masker"/> every value held under a sensitive key; returns how many values.</summary>
    public static int Register(IReadOnlyDictionary<string, JsonElement> values, SecretMasker masker, SensitiveNames names)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(masker);
        ArgumentNullException.ThrowIfNull(names);
        var count = 0;
        foreach (var (key, value) in values)
        {
            count += Visit(key, value, masker, names);
        }

        return count;
    }

    /// <summary>A copy in which the value of every sensitive key is the string <c>***</c>.</summary>
    public static IReadOnlyDictionary<string, JsonElement> Mask(IReadOnlyDictionary<string, JsonElement> values, SensitiveNames names)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(names);
        var masked = new Dictionary<string, JsonElement>(values.Count, StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            masked[key] = names.IsSensitive(key) ? Stars() : JsonSerializer.SerializeToElement(MaskInPlace(JsonNode.Parse(value.GetRawText()), names));
        }

        return masked;
    }

    /// <summary>The conf JSON with the value of every sensitive key replaced by <c>***</c>. Text that is not JSON
    /// is not shown at all (it cannot be checked), and becomes <c>"***"</c>.</summary>
    public static string MaskJson(string json, SensitiveNames names)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(names);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException or InvalidOperationException)
        {
            return "\"***\"";
        }

        return MaskInPlace(node, names)?.ToJsonString() ?? "null";
    }

    private static int Visit(string key, JsonElement value, SecretMasker masker, SensitiveNames names)
    {
        if (names.IsSensitive(key))
        {
            return RegisterAll(value, masker);
        }

        var count = 0;
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    count += Visit(property.Name, property.Value, masker, names);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    count += Visit("", item, masker, names);
                }

                break;
        }

        return count;
    }

    private static int RegisterAll(JsonElement value, SecretMasker masker)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                masker.Add(value.GetString());
                return 1;
            case JsonValueKind.Number:
                masker.Add(value.GetRawText());
                return 1;
            case JsonValueKind.Object:
                // The whole object may be printed as compact JSON (a template inserting it), besides each leaf.
                masker.Add(JsonSerializer.Serialize(value));
                return 1 + value.EnumerateObject().Sum(property => RegisterAll(property.Value, masker));
            case JsonValueKind.Array:
                masker.Add(JsonSerializer.Serialize(value));
                return 1 + value.EnumerateArray().Sum(item => RegisterAll(item, masker));
            default:
                return 0; // true, false, null: nothing to hide
        }
    }

    // In place: a JsonNode that has a parent cannot be assigned again, so only sensitive values are replaced.
    private static JsonNode? MaskInPlace(JsonNode? node, SensitiveNames names)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(property => property.Key).ToList())
                {
                    if (names.IsSensitive(key))
                    {
                        obj[key] = SecretMasker.Replacement;
                    }
                    else
                    {
                        MaskInPlace(obj[key], names);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    MaskInPlace(item, names);
                }

                break;
        }

        return node;
    }

    private static JsonElement Stars() => JsonSerializer.SerializeToElement(SecretMasker.Replacement);
}
