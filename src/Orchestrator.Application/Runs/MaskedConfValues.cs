using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Secrets.Masking;

namespace Orchestrator.Application.Runs;

/// <summary>Puts a param's real default back where a conf holds the mask <c>***</c> at a sensitive key. Every answer shows
/// secret defaults as <c>***</c>, so a client that edits and sends back a param object ({"password": "***", "user": "x"})
/// means "keep the password": storing the mask would hand the task <c>***</c> as its password.</summary>
internal static class MaskedConfValues
{
    public static string Restore(string confJson, IReadOnlyDictionary<string, JsonElement> declared, SensitiveNames sensitive)
    {
        if (!confJson.Contains("\"" + SecretMasker.Replacement + "\"", StringComparison.Ordinal))
        {
            return confJson; // the common case: nothing to look at
        }

        var conf = JsonNode.Parse(confJson)!.AsObject();
        var changed = false;
        foreach (var (name, value) in conf.ToList())
        {
            if (declared.TryGetValue(name, out var fallback))
            {
                changed |= RestoreAt(conf, name, value, JsonNode.Parse(fallback.GetRawText()), sensitive);
            }
        }

        return changed ? conf.ToJsonString() : confJson;
    }

    /// <summary>Restores <paramref name="key"/> of <paramref name="parent"/> (or keys below it) from the default.</summary>
    private static bool RestoreAt(JsonObject parent, string key, JsonNode? value, JsonNode? fallback, SensitiveNames sensitive)
    {
        if (sensitive.IsSensitive(key) && IsMask(value) && fallback is not null)
        {
            parent[key] = fallback.DeepClone();
            return true;
        }

        if (value is not JsonObject inner || fallback is not JsonObject innerDefault)
        {
            return false;
        }

        var changed = false;
        foreach (var (name, child) in inner.ToList())
        {
            if (innerDefault.TryGetPropertyValue(name, out var childDefault))
            {
                changed |= RestoreAt(inner, name, child, childDefault, sensitive);
            }
        }

        return changed;
    }

    private static bool IsMask(JsonNode? value) =>
        value is JsonValue scalar && scalar.TryGetValue<string>(out var text) && text == SecretMasker.Replacement;
}
