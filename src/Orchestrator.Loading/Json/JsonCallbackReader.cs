using System.Text.Json;
using Orchestrator.Core.Alerts;
using Orchestrator.Core.Model;

namespace Orchestrator.Loading.Json;

/// <summary>Reads <c>"callbacks"</c> of a DAG or task: <c>{"onFailure": [TARGET…] or TARGET, "onRetry": …}</c>, a
/// TARGET being <c>{"connection"|"url", "message", "severity"}</c>. Each wrong field is an error at its path; only
/// valid targets reach the builder (which checks them again with the same rules, for C# DAGs).</summary>
internal sealed class JsonCallbackReader(JsonFields fields)
{
    public void Read(JsonElement owner, string ownerPath, Action<CallbackTrigger, CallbackTarget> add)
    {
        if (!owner.TryGetProperty("callbacks", out var callbacks) || callbacks.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        var path = JsonFields.Join(ownerPath, "callbacks");
        if (!fields.IsType(callbacks, path, JsonValueKind.Object, "an object such as {\"onFailure\": [{\"connection\": \"NAME\"}]}"))
        {
            return;
        }

        fields.CheckProperties(callbacks, path, [.. CallbackRules.TriggerKeys.Keys]);
        foreach (var (key, trigger) in CallbackRules.TriggerKeys)
        {
            if (!callbacks.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var field = JsonFields.Join(path, key);
            if (value.ValueKind == JsonValueKind.Object)
            {
                // A single target may be written without the array.
                if (ReadTarget(value, field) is { } single)
                {
                    add(trigger, single);
                }

                continue;
            }

            if (!fields.IsType(value, field, JsonValueKind.Array, "a callback target object or an array of them"))
            {
                continue;
            }

            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                if (ReadTarget(item, $"{field}[{i++}]") is { } target)
                {
                    add(trigger, target);
                }
            }
        }
    }

    private CallbackTarget? ReadTarget(JsonElement value, string path)
    {
        if (!fields.IsType(value, path, JsonValueKind.Object, "an object such as {\"connection\": \"ops_webhook\", \"severity\": \"critical\"}"))
        {
            return null;
        }

        var before = fields.Errors.Count;
        fields.CheckProperties(value, path, CallbackRules.TargetKeys);
        var target = new CallbackTarget(
            fields.String(value, path, "connection"), fields.String(value, path, "url"), fields.String(value, path, "message"),
            fields.String(value, path, "severity") ?? "warning");
        foreach (var (key, problem) in CallbackRules.Explain(target))
        {
            fields.Error(JsonFields.Join(path, key), problem);
        }

        return fields.Errors.Count == before ? target : null;
    }
}
