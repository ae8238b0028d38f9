using System.Diagnostics;
using Orchestrator.Core.States;

namespace Orchestrator.Benchmarks.Cluster;

/// <summary>The same workloads on the embedded engine, through the engine benchmark's own path
/// (<see cref="EngineBenchmark.RunOnceAsync"/>: coordinator, SQLite WAL store, Hangfire in-memory, in one process),
/// timed by its marks (Stopwatch, taken by the no-op task itself) since the store's millisecond columns are too coarse
/// for sub-millisecond hops.</summary>
internal static class EmbeddedRuns
{
    /// <summary>The type EngineBenchmark registers its marking no-op as.</summary>
    private const string NoopType = "noop";

    public static async Task<List<double>> ChainHopsAsync(int length, int workers)
    {
        await RunAsync(Workloads.Builder("chain", Workloads.Chain(length), NoopType), workers);
        var marks = EngineBenchmark.Marks;
        return [.. Enumerable.Range(0, length - 1).Select(i => Ms(marks[$"c{i + 1}"].Start - marks[$"c{i}"].End))];
    }

    public static async Task<double> FanoutRateAsync(int width, int workers)
    {
        await RunAsync(Workloads.Builder("fanout", Workloads.Fanout(width), NoopType), workers);
        var marks = EngineBenchmark.Marks;
        // Until every child's end is recorded (the run's end commits after the last), as on the cluster.
        return width / (Ms(EngineBenchmark.LastRunRecordedEnd - marks["root"].End) / 1000);
    }

    /// <summary>From the run's start (the coordinator starting it) to its end.</summary>
    public static async Task<double> BulkRateAsync(int count, int workers) =>
        count / (await RunAsync(Workloads.Builder("bulk", Workloads.Bulk(count), NoopType), workers)).TotalSeconds;

    private static async Task<TimeSpan> RunAsync(Orchestrator.Core.Authoring.DagBuilder builder, int workers)
    {
        EngineBenchmark.Marks.Clear();
        var (elapsed, state, _) = await EngineBenchmark.RunOnceAsync(builder, workers);
        return state == DagRunState.Success ? elapsed : throw new InvalidOperationException($"embedded run ended {state.ToName()}");
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
