using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Core.Authoring;

/// <summary>A DAG's <c>env</c>: checked names, merged under each shell task's <c>args.env</c>.</summary>
internal static class DagEnvironment
{
    /// <summary>Why <paramref name="name"/> cannot be a DAG-level variable, or null when it can.</summary>
    public static string? Explain(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            return $"env: '{name}' is not an environment variable name (ASCII letters, digits and '_', not starting with a digit)";
        }

        return name.StartsWith("ORCHESTRATOR_", StringComparison.OrdinalIgnoreCase)
            ? $"env: '{name}': names starting with ORCHESTRATOR_ are reserved for the variables that describe a try"
            : null;
    }

    /// <summary><paramref name="args"/> with <c>env</c> = the DAG's variables overridden by the task's own.
    /// Args whose <c>env</c> is not an object are left for the task type to reject.</summary>
    public static JsonElement Merge(IReadOnlyDictionary<string, string> dagEnv, JsonElement args)
    {
        if (dagEnv.Count == 0 || args.ValueKind != JsonValueKind.Object)
        {
            return args;
        }

        var node = JsonNode.Parse(args.GetRawText())!.AsObject();
        var merged = new JsonObject();
        foreach (var (name, value) in dagEnv)
        {
            merged[name] = value;
        }

        if (node.TryGetPropertyValue("env", out var own))
        {
            if (own is not JsonObject taskEnv)
            {
                return args;
            }

            foreach (var (name, value) in taskEnv)
            {
                merged[name] = value?.DeepClone();
            }
        }

        node["env"] = merged;
        return JsonSerializer.SerializeToElement(node);
    }
}
