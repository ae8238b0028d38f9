using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.Pools;
using Orchestrator.Core.Retries;
using Orchestrator.Core.TriggerRules;

namespace Orchestrator.Loading.Json;

/// <summary>Turns a parsed JSON DAG into a <see cref="DagBuilder"/>, checking every field's name and type.
/// The builder then applies defaults and runs the same validation as for C# DAGs.</summary>
internal sealed class JsonDagReader(JsonFields fields, string file)
{
    private static readonly string[] RootProperties =
        ["$schema", "id", "description", "schedule", "timezone", "start", "catchup", "maxActiveRuns", "tags", "params", "env", "defaults", "triggers", "callbacks", "tasks"];

    private static readonly string[] SettingProperties =
        ["retries", "retryDelay", "retryBackoff", "maxRetryDelay", "retryJitter", "timeout", "triggerRule", "queue",
         "pool", "poolSlots", "priorityWeight", "weightRule"];

    private static readonly string[] TaskProperties =
        ["id", "type", "description", "dependsOn", "args", "callbacks", .. SettingProperties];

    private static readonly string[] TriggerProperties = ["event", "model", "name", "dag"];

    private static readonly Dictionary<string, RetryBackoff> Backoffs = new(StringComparer.Ordinal)
    {
        ["fixed"] = RetryBackoff.Fixed,
        ["exponential"] = RetryBackoff.Exponential,
    };

    private static readonly Dictionary<string, WeightRule> WeightRules = new(StringComparer.Ordinal)
    {
        ["downstream"] = WeightRule.Downstream,
        ["upstream"] = WeightRule.Upstream,
        ["absolute"] = WeightRule.Absolute,
    };

    private static readonly Dictionary<string, TriggerRule> Rules =
        TriggerRuleNames.All.ToDictionary(name => name, name => TriggerRuleNames.TryParse(name, out var rule) ? rule : default, StringComparer.Ordinal);

    private static readonly string[] Events = ["drift", "dataset", "dagSucceeded"];

    public DagBuilder? Read(JsonElement root)
    {
        if (!fields.IsType(root, "", JsonValueKind.Object, "a JSON object describing one DAG"))
        {
            return null;
        }

        fields.CheckProperties(root, "", RootProperties);
        var id = fields.String(root, "", "id");
        if (id is null && !root.TryGetProperty("id", out _))
        {
            fields.Error("", "missing required field 'id' (the DAG id, e.g. \"taxi_fare_retrain\")");
        }

        var dag = new DagBuilder(id ?? "unnamed", new SourceLocation(file));
        ReadDagSettings(root, dag);
        if (root.TryGetProperty("defaults", out var defaults) && fields.IsType(defaults, "defaults", JsonValueKind.Object, "an object"))
        {
            fields.CheckProperties(defaults, "defaults", SettingProperties);
            ReadSettings(defaults, "defaults", dag.Defaults);
        }

        if (!root.TryGetProperty("tasks", out var tasks))
        {
            fields.Error("", "missing required field 'tasks' (an array of tasks)");
        }
        else if (fields.IsType(tasks, "tasks", JsonValueKind.Array, "an array of tasks"))
        {
            var index = 0;
            foreach (var task in tasks.EnumerateArray())
            {
                ReadTask(task, $"tasks[{index++}]", dag);
            }
        }

        return dag;
    }

    private void ReadDagSettings(JsonElement root, DagBuilder dag)
    {
        if (fields.String(root, "", "description") is { } description)
        {
            dag.Description(description);
        }

        if (root.TryGetProperty("schedule", out var schedule) && schedule.ValueKind != JsonValueKind.Null
            && fields.IsType(schedule, "schedule", JsonValueKind.String, "a cron expression, a preset such as \"@daily\", or null"))
        {
            dag.Schedule(schedule.GetString());
        }

        if (fields.String(root, "", "timezone") is { } zone)
        {
            dag.TimeZone(zone);
        }

        if (fields.Date(root, "", "start") is { } start)
        {
            dag.Start(start);
        }

        if (fields.Bool(root, "", "catchup") is { } catchup)
        {
            dag.Catchup(catchup);
        }

        if (fields.Count(root, "", "maxActiveRuns", 1) is { } maxActiveRuns)
        {
            dag.MaxActiveRuns(maxActiveRuns);
        }

        if (root.TryGetProperty("tags", out var tags) && fields.IsType(tags, "tags", JsonValueKind.Array, "an array of strings"))
        {
            var i = 0;
            foreach (var tag in tags.EnumerateArray())
            {
                if (fields.IsType(tag, $"tags[{i++}]", JsonValueKind.String, "a string"))
                {
                    dag.Tag(tag.GetString()!);
                }
            }
        }

        if (root.TryGetProperty("params", out var parameters) && fields.IsType(parameters, "params", JsonValueKind.Object, "an object of named values"))
        {
            foreach (var param in parameters.EnumerateObject())
            {
                dag.Param(param.Name, param.Value.Clone());
            }
        }

        if (root.TryGetProperty("env", out var env) && fields.IsType(env, "env", JsonValueKind.Object, "an object of environment variables"))
        {
            foreach (var variable in env.EnumerateObject())
            {
                // Numbers and booleans are welcome as their text, as in a task's args.env.
                if (variable.Value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                {
                    dag.Env(variable.Name, variable.Value.ValueKind == JsonValueKind.String ? variable.Value.GetString()! : variable.Value.GetRawText());
                }
                else
                {
                    fields.Error(JsonFields.Join("env", variable.Name), $"expected a string, found {JsonFields.Describe(variable.Value)}");
                }
            }
        }

        if (root.TryGetProperty("triggers", out var triggers) && fields.IsType(triggers, "triggers", JsonValueKind.Array, "an array of event triggers"))
        {
            var i = 0;
            foreach (var trigger in triggers.EnumerateArray())
            {
                ReadTrigger(trigger, $"triggers[{i++}]", dag);
            }
        }

        new JsonCallbackReader(fields).Read(root, "", (trigger, target) => dag.Callback(trigger, target));
    }

    private void ReadTrigger(JsonElement trigger, string path, DagBuilder dag)
    {
        if (!fields.IsType(trigger, path, JsonValueKind.Object, "an object such as {\"event\": \"drift\", \"model\": \"NAME\"}"))
        {
            return;
        }

        fields.CheckProperties(trigger, path, TriggerProperties);
        var name = fields.String(trigger, path, "event");
        if (name is null || !Events.Contains(name))
        {
            fields.Error(JsonFields.Join(path, "event"), $"expected an event: one of {string.Join(", ", Events)}");
            return;
        }

        var (model, datasetName, dagId) = (fields.String(trigger, path, "model"), fields.String(trigger, path, "name"), fields.String(trigger, path, "dag"));
        var (required, value) = name switch
        {
            "drift" => ("model", model),
            "dataset" => ("name", datasetName),
            _ => ("dag", dagId),
        };
        if (value is null)
        {
            fields.Error(path, $"a '{name}' trigger needs '{required}'");
            return;
        }

        dag.TriggeredBy(new DagEventTrigger(name, model, datasetName, dagId) { Location = fields.Location(path) });
    }

    private void ReadTask(JsonElement task, string path, DagBuilder dag)
    {
        if (!fields.IsType(task, path, JsonValueKind.Object, "a task object with at least 'id' and 'type'"))
        {
            return;
        }

        fields.CheckProperties(task, path, TaskProperties);
        var id = fields.String(task, path, "id");
        var type = fields.String(task, path, "type");
        if (id is null || type is null)
        {
            var missing = id is null ? "id" : "type";
            if (!task.TryGetProperty(missing, out _))
            {
                fields.Error(path, $"missing required field '{missing}'" + (missing == "type" ? " (e.g. \"shell\", \"empty\", \"ml.train\")" : ""));
            }

            return;
        }

        var builder = dag.AddTask(id, type, null, fields.Location(path));
        ReadSettings(task, path, builder.Settings);
        ReadDependsOn(task, path, builder);
        new JsonCallbackReader(fields).Read(task, path, (trigger, target) => builder.Callback(trigger, target));
        if (task.TryGetProperty("args", out var args) && fields.IsType(args, JsonFields.Join(path, "args"), JsonValueKind.Object, "an object"))
        {
            builder.WithArgs(args.Clone());
        }
    }

    private void ReadDependsOn(JsonElement task, string path, TaskBuilder builder)
    {
        if (!task.TryGetProperty("dependsOn", out var dependsOn) || dependsOn.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        var field = JsonFields.Join(path, "dependsOn");
        if (dependsOn.ValueKind == JsonValueKind.String)
        {
            builder.DependsOn(dependsOn.GetString()!);
            return;
        }

        if (!fields.IsType(dependsOn, field, JsonValueKind.Array, "an array of task ids"))
        {
            return;
        }

        var i = 0;
        foreach (var upstream in dependsOn.EnumerateArray())
        {
            if (fields.IsType(upstream, $"{field}[{i++}]", JsonValueKind.String, "a task id"))
            {
                builder.DependsOn(upstream.GetString()!);
            }
        }
    }

    private void ReadSettings(JsonElement obj, string path, TaskSettings settings)
    {
        settings.Retries = fields.Count(obj, path, "retries", 0) ?? settings.Retries;
        settings.RetryDelay = fields.Duration(obj, path, "retryDelay") ?? settings.RetryDelay;
        settings.RetryBackoff = fields.Choice(obj, path, "retryBackoff", Backoffs) ?? settings.RetryBackoff;
        settings.MaxRetryDelay = fields.Duration(obj, path, "maxRetryDelay") ?? settings.MaxRetryDelay;
        settings.RetryJitter = fields.Bool(obj, path, "retryJitter") ?? settings.RetryJitter;
        settings.Timeout = fields.Duration(obj, path, "timeout") ?? settings.Timeout;
        settings.TriggerRule = fields.Choice(obj, path, "triggerRule", Rules) ?? settings.TriggerRule;
        settings.Queue = fields.String(obj, path, "queue") ?? settings.Queue;
        settings.Pool = PoolName(obj, path) ?? settings.Pool;
        settings.PoolSlots = fields.Count(obj, path, "poolSlots", 1) ?? settings.PoolSlots;
        settings.PriorityWeight = fields.Integer(obj, path, "priorityWeight") ?? settings.PriorityWeight;
        settings.WeightRule = fields.Choice(obj, path, "weightRule", WeightRules) ?? settings.WeightRule;
    }

    private string? PoolName(JsonElement obj, string path)
    {
        var name = fields.String(obj, path, "pool");
        if (name is null || PoolNames.IsValid(name))
        {
            return name;
        }

        fields.Error(JsonFields.Join(path, "pool"), $"'{name}' is not a pool name; expected {PoolNames.Expected}");
        return null;
    }
}
