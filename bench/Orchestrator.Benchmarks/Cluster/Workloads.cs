using Orchestrator.Core.Authoring;

namespace Orchestrator.Benchmarks.Cluster;

/// <summary>The three workloads, the same DAGs for the cluster (JSON files) and the embedded engine (builders):
/// CHAIN = 200 dependent tasks c0 → c1 → …; FANOUT = root → w0 … w999; BULK = b0 … b9999, independent.</summary>
internal static class Workloads
{
    public const int ChainLength = 200;
    public const int FanoutWidth = 1_000;
    public const int BulkCount = 10_000;

    /// <summary>(task id, its upstream or null) of each workload, in order.</summary>
    public static IEnumerable<(string Id, string? Upstream)> Chain(int length) =>
        Enumerable.Range(0, length).Select(i => ($"c{i}", i == 0 ? null : $"c{i - 1}"));

    public static IEnumerable<(string Id, string? Upstream)> Fanout(int width) =>
        new[] { ("root", (string?)null) }.Concat(Enumerable.Range(0, width).Select(i => ($"w{i}", (string?)"root")));

    public static IEnumerable<(string Id, string? Upstream)> Bulk(int count) =>
        Enumerable.Range(0, count).Select(i => ($"b{i}", (string?)null));

    /// <summary>A JSON DAG (docs/authoring-json.md), unscheduled, of tasks of <paramref name="type"/>.</summary>
    public static string Json(string dagId, IEnumerable<(string Id, string? Upstream)> tasks, string type)
    {
        var dag = new System.Text.Json.Nodes.JsonObject { ["id"] = dagId, ["schedule"] = null };
        var list = new System.Text.Json.Nodes.JsonArray();
        foreach (var (id, upstream) in tasks)
        {
            var task = new System.Text.Json.Nodes.JsonObject { ["id"] = id, ["type"] = type };
            if (type == "shell")
            {
                task["args"] = new System.Text.Json.Nodes.JsonObject { ["command"] = "true" };
            }

            if (upstream is not null)
            {
                task["dependsOn"] = new System.Text.Json.Nodes.JsonArray(upstream);
            }

            list.Add(task);
        }

        dag["tasks"] = list;
        return dag.ToJsonString();
    }

    /// <summary>The same DAG for the embedded engine, tasks of the bench's marking no-op type.</summary>
    public static DagBuilder Builder(string dagId, IEnumerable<(string Id, string? Upstream)> tasks, string type)
    {
        var dag = new DagBuilder(dagId);
        foreach (var (id, upstream) in tasks)
        {
            var task = dag.Task(id, type);
            if (upstream is not null)
            {
                task.DependsOn(upstream);
            }
        }

        return dag;
    }

    public static double Median(IReadOnlyList<double> values) => Percentile(values, 0.5);

    /// <summary>Nearest-rank percentile of an unsorted list; NaN when empty.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        if (p == 0.5 && sorted.Count % 2 == 0)
        {
            return (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }

        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
