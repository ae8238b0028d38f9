using System.Text.Json;
using Orchestrator.Secrets.Masking;

namespace Orchestrator.Application.Queries.Ml;

/// <summary>JSON text kept by the stores (metrics, params, signatures) turned into JSON values for an answer.</summary>
internal static class StoredJson
{
    /// <summary>The stored text as a JSON value, with the value of every sensitive-looking key masked; text that is
    /// not JSON is shown as a string (masked whole, since it cannot be checked).</summary>
    public static JsonElement Masked(string json, SensitiveNames names) => Parse(SensitiveConf.MaskJson(json, names));

    /// <summary>The stored text as a JSON value; text that is not JSON becomes a JSON string of it.</summary>
    public static JsonElement Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(json);
        }
    }

    /// <summary>A string map with the value of every sensitive-looking key as <c>***</c>.</summary>
    public static IReadOnlyDictionary<string, string> Masked(IReadOnlyDictionary<string, string> map, SensitiveNames names) =>
        map.ToDictionary(pair => pair.Key, pair => names.IsSensitive(pair.Key) ? SecretMasker.Replacement : pair.Value, StringComparer.Ordinal);

    /// <summary>JSON has no NaN or infinity: such a metric value is shown as null.</summary>
    public static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
