using System.Text.Json;

namespace Orchestrator.Core.Runs;

/// <summary>A run's params: the DAG's, with the run's conf (a JSON object) overriding values of the same name.</summary>
public static class RunParams
{
    public static IReadOnlyDictionary<string, JsonElement> Merge(IReadOnlyDictionary<string, JsonElement> declared, JsonElement? conf)
    {
        ArgumentNullException.ThrowIfNull(declared);
        var merged = new Dictionary<string, JsonElement>(declared, StringComparer.Ordinal);
        if (conf is { ValueKind: JsonValueKind.Object } values)
        {
            foreach (var property in values.EnumerateObject())
            {
                merged[property.Name] = property.Value.Clone();
            }
        }

        return merged;
    }

    /// <summary>The same, with the conf as stored (JSON text; empty means none).</summary>
    public static IReadOnlyDictionary<string, JsonElement> Merge(IReadOnlyDictionary<string, JsonElement> declared, string? conf)
    {
        if (string.IsNullOrWhiteSpace(conf))
        {
            return Merge(declared, (JsonElement?)null);
        }

        using var document = JsonDocument.Parse(conf);
        return Merge(declared, document.RootElement);
    }
}
