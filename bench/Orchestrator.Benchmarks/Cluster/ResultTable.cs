using System.Globalization;

namespace Orchestrator.Benchmarks.Cluster;

/// <summary>The one table of a cluster bench run: each engine's CHAIN (median and p90 over every measured hop), FANOUT
/// and BULK (median over repetitions), then the cluster's ratios to the embedded engine and to raw Hangfire.</summary>
internal static class ResultTable
{
    public static void Print(ClusterSettings settings, Figures cluster, Figures embedded, Figures? baseline)
    {
        var slots = settings.Workers * settings.Concurrency;
        Console.WriteLine();
        Console.WriteLine("| Engine | CHAIN ms/hop (median) | CHAIN p90 | FANOUT tasks/s | BULK tasks/s |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Row($"cluster: 1 scheduler + {settings.Workers} worker processes × {settings.Concurrency} ('{settings.TaskType}' tasks, PostgreSQL fsync on)", cluster);
        Row($"embedded: 1 process, {slots} workers (SQLite WAL, Hangfire in-memory)", embedded);
        if (baseline is not null)
        {
            Row($"raw Hangfire.PostgreSql `{settings.Baseline}`: {settings.Workers} processes × {settings.Concurrency} threads", baseline);
        }

        Ratio("ratio cluster / embedded", cluster, embedded);
        if (baseline is not null)
        {
            Ratio("ratio cluster / raw Hangfire.PostgreSql", cluster, baseline);
        }

        foreach (var (name, figures) in new[] { ("cluster", cluster), ("embedded", embedded), ("baseline", baseline) })
        {
            if (figures is { Unfinished.Count: > 0 })
            {
                Console.WriteLine($"{name}: did not finish within {settings.Timeout.TotalMinutes:0} min: {string.Join(", ", figures.Unfinished)}");
            }
        }
    }

    private static void Row(string name, Figures figures) =>
        Console.WriteLine($"| {name} | {Format(Workloads.Median(figures.Hops), "F2")} | {Format(Workloads.Percentile(figures.Hops, 0.9), "F2")} | " +
            $"{Format(Median(figures.Fanout), "F0")} | {Format(Median(figures.Bulk), "F0")} |");

    // CHAIN: how many times longer a hop takes; FANOUT / BULK: the share of the other's throughput.
    private static void Ratio(string name, Figures cluster, Figures other) =>
        Console.WriteLine($"| {name} | ×{Format(Workloads.Median(cluster.Hops) / Workloads.Median(other.Hops), "F1")} | " +
            $"×{Format(Workloads.Percentile(cluster.Hops, 0.9) / Workloads.Percentile(other.Hops, 0.9), "F1")} | " +
            $"×{Format(Median(cluster.Fanout) / Median(other.Fanout), "F3")} | ×{Format(Median(cluster.Bulk) / Median(other.Bulk), "F3")} |");

    private static double Median(List<double> values) => values.Count == 0 ? double.NaN : Workloads.Median(values);

    private static string Format(double value, string format) =>
        double.IsNaN(value) || double.IsInfinity(value) ? "n/a" : value.ToString(format, CultureInfo.InvariantCulture);
}
