using System.Text.Json;

namespace Orchestrator.Engine.Runs;

/// <summary>A run's params: the DAG's, with the run's conf (a JSON object) overriding values of the same name.</summary>
internal static class RunParams
{
    public static IReadOnlyDictionary<string, JsonElement> Merge(IReadOnlyDictionary<string, JsonElement> declared, string conf)
    {
        var merged = new Dictionary<string, JsonElement>(declared, StringComparer.Ordinal);
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(conf) ? "{}" : conf);
        if (document.RootElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in document.RootElement.EnumerateObject())
            {
                merged[property.Name] = property.Value.Clone();
            }
        }

        return merged;
    }
}
