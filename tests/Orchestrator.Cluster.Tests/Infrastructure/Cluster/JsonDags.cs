using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Cluster.Tests.Infrastructure.Cluster;

/// <summary>JSON DAG files (docs/authoring-json.md) of shell tasks, for the cluster tests.</summary>
public static class JsonDags
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>A shell task: <paramref name="command"/> runs in bash; non-zero exit fails the try.</summary>
    public static JsonObject Shell(string id, string command, IEnumerable<string>? dependsOn = null, int? retries = null, string? retryDelay = null, string? queue = null)
    {
        var task = new JsonObject { ["id"] = id, ["type"] = "shell", ["args"] = new JsonObject { ["command"] = command } };
        if (dependsOn is not null)
        {
            task["dependsOn"] = new JsonArray([.. dependsOn.Select(d => (JsonNode)JsonValue.Create(d))]);
        }

        if (retries is { } r)
        {
            task["retries"] = r;
        }

        if (retryDelay is not null)
        {
            task["retryDelay"] = retryDelay;
        }

        if (queue is not null)
        {
            task["queue"] = queue;
        }

        return task;
    }

    /// <summary>A DAG of the given tasks; unscheduled (runs only when triggered) unless <paramref name="schedule"/> is given.</summary>
    public static string Dag(
        string id, IEnumerable<JsonObject> tasks, string? schedule = null, string? start = null, bool? catchup = null, JsonObject? defaults = null, int? maxActiveRuns = null)
    {
        var dag = new JsonObject { ["id"] = id, ["schedule"] = schedule };
        if (maxActiveRuns is { } most)
        {
            dag["maxActiveRuns"] = most;
        }

        if (start is not null)
        {
            dag["start"] = start;
        }

        if (catchup is { } c)
        {
            dag["catchup"] = c;
        }

        if (defaults is not null)
        {
            dag["defaults"] = defaults;
        }

        dag["tasks"] = new JsonArray([.. tasks]);
        return dag.ToJsonString(Indented);
    }

    /// <summary>A bash line that waits until <paramref name="file"/> exists (bounded), so a test decides when a task
    /// may finish instead of guessing with sleeps.</summary>
    public static string WaitForFile(string file, int seconds = 120) =>
        $"for i in $(seq 1 {seconds * 10}); do [ -e '{file}' ] && break; sleep 0.1; done; [ -e '{file}' ]";
}
