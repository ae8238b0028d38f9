using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Dispatch;
using Orchestrator.Engine.Runs;
using Orchestrator.Engine.Workers;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Loading;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Benchmarks;

/// <summary>The embedded engine end to end — coordinator, SQLite store (WAL), Hangfire in-memory queue, 4 workers —
/// on no-op tasks. CHAIN: 200 dependent tasks, per-hop latency = next task's start − previous task's end.
/// FANOUT: 1 → 1,000 → 1, throughput = 1,000 / (join start − root end). SCALE: layered DAGs of 1,000 and 10,000
/// tasks (layers of 100, each task depending on one of the layer above), cost per task = wall time / tasks.</summary>
internal static class EngineBenchmark
{
    private static readonly int Workers = int.TryParse(Environment.GetEnvironmentVariable("BENCH_WORKERS"), out var n) ? n : 4;
    internal static readonly ConcurrentDictionary<string, (long Start, long End)> Marks = new();

    /// <summary>When the last run's final state was recorded (Stopwatch ticks).</summary>
    internal static long LastRunRecordedEnd;

    // The process's CPU time over the last run (start to finish): on a shared machine, CPU per task moves far less
    // with other load than wall-clock throughput does, so it tells whether a change made the engine cheaper.
    private static TimeSpan _lastRunCpu;

    // Lines each no-op task logs (BENCH_LOG_LINES, default 0), so that the cost of writing logs shows.
    private static readonly int LogLines = int.TryParse(Environment.GetEnvironmentVariable("BENCH_LOG_LINES"), out var lines) ? lines : 0;

    // A long-running engine is measured warm: tiered JIT settles only after a few seconds of the same work.
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("BENCH_WARMUP_SECONDS"), out var seconds) ? seconds : 15);

    public static async Task RunAsync(int repetitions, string only = "all")
    {
        Console.WriteLine($"engine benchmark: {Environment.ProcessorCount} cores, {Workers} workers, {LogLines} log lines per task, SQLite WAL store, Hangfire in-memory; " +
            $"{repetitions} repetitions after {WarmUp.TotalSeconds:F0} s of warm-up");
        var hops = new List<double>();
        var fanout = new List<double>();
        var fanoutCpu = new List<double>();
        var perTask1K = new List<double>();
        var perTask10K = new List<double>();
        var warmUp = Stopwatch.StartNew();
        for (var measured = 0; measured < repetitions;)
        {
            var warmingUp = warmUp.Elapsed < WarmUp;
            if (only is "all" or "chain")
            {
                await MeasureAsync(Chain(200));
                var hop = Median(Enumerable.Range(0, 199).Select(t => Ms(Marks[$"c{t + 1}"].Start - Marks[$"c{t}"].End)).ToList());
                AddUnlessWarmUp(hops, hop, warmingUp);
            }

            if (only is "all" or "fanout")
            {
                await MeasureAsync(Fanout(1000));
                AddUnlessWarmUp(fanout, 1000 / ((Marks["join"].Start - Marks["root"].End) / (double)Stopwatch.Frequency), warmingUp);
                AddUnlessWarmUp(fanoutCpu, _lastRunCpu.TotalMicroseconds / 1002, warmingUp);
            }

            if (only is "all" or "scale")
            {
                AddUnlessWarmUp(perTask1K, (await MeasureAsync(Layers(10, 100))).TotalMilliseconds / 1000, warmingUp);
                AddUnlessWarmUp(perTask10K, (await MeasureAsync(Layers(100, 100))).TotalMilliseconds / 10000, warmingUp);
            }

            measured += warmingUp ? 0 : 1;
        }

        if (hops.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CHAIN  median per-hop latency: {Median(hops):F2} ms (runs: {string.Join(", ", hops.Select(h => h.ToString("F2", CultureInfo.InvariantCulture)))})"));
        }

        if (fanout.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FANOUT throughput: {Median(fanout):F0} tasks/s (runs: {string.Join(", ", fanout.Select(h => h.ToString("F0", CultureInfo.InvariantCulture)))})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FANOUT process CPU per task (whole run): {Median(fanoutCpu):F0} µs (runs: {string.Join(", ", fanoutCpu.Select(h => h.ToString("F0", CultureInfo.InvariantCulture)))})"));
        }

        if (perTask1K.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SCALE  cost per task: {Median(perTask1K):F3} ms at 1,000 tasks, {Median(perTask10K):F3} ms at 10,000 tasks, ratio {Median(perTask10K) / Median(perTask1K):F2}"));
        }
    }

    private static void AddUnlessWarmUp(List<double> values, double value, bool warmUp)
    {
        if (!warmUp)
        {
            values.Add(value);
        }
    }

    private static async Task<TimeSpan> MeasureAsync(DagBuilder builder)
    {
        Marks.Clear();
        var (elapsed, state, _) = await RunOnceAsync(builder, Workers);
        if (state != DagRunState.Success)
        {
            throw new InvalidOperationException($"benchmark run ended {state.ToName()}");
        }

        return elapsed;
    }

    /// <summary>One run of <paramref name="builder"/>'s DAG on a fresh embedded engine: its wall time, final state and
    /// the size of the SQLite files it left.</summary>
    internal static async Task<(TimeSpan Elapsed, DagRunState State, long StoreBytes)> RunOnceAsync(DagBuilder builder, int workers)
    {
        // The same path every time: a store's prepared work (Dapper's per-connection-string cache) is reused as in a
        // long-running engine, while each run starts on an empty database.
        var folder = Path.Combine(Path.GetTempPath(), $"orchestrator-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        try
        {
            await using var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(folder, "bench.db")), TimeProvider.System, default);
            var versions = new DagVersions();
            var result = builder.TryBuild();
            var dag = new LoadedDag(result.Dag!, result.Graph!, Path.Combine(folder, "bench.json"), "v1");
            versions.Add(dag);
            var coordinator = new RunCoordinator(store, versions, TimeProvider.System);
            var finished = new TaskCompletionSource<DagRunState>(TaskCreationOptions.RunContinuationsAsynchronously);
            coordinator.RunFinished += (_, state) =>
            {
                LastRunRecordedEnd = Stopwatch.GetTimestamp(); // the run's end is committed
                finished.TrySetResult(state);
            };
            var registry = TaskTypeRegistry.CreateDefault().Register("noop", new MarkingExecutor());
            using var dispatcher = new HangfireTaskDispatcher(new TaskWorker(coordinator, store, registry, TimeProvider.System, "bench"), workers);
            coordinator.Attach(dispatcher);
            var runId = new RunId("bench");
            var now = TimeProvider.System.GetUtcNow();
            await store.Runs.CreateAsync(
                new DagRunRecord(runId, dag.Id, dag.Version, now, RunType.Manual, DagRunState.Queued, "{}", now),
                [.. dag.Definition.Tasks.Select(t => new TaskInstanceRecord(runId, t.Id, TaskInstanceState.None, 0, 1, t.Queue, now))],
                default);
            using var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            await coordinator.StartAsync(runId, default);
            var state = await finished.Task.WaitAsync(TimeSpan.FromMinutes(10));
            watch.Stop();
            process.Refresh();
            _lastRunCpu = process.TotalProcessorTime - cpuBefore;
            await coordinator.DrainAsync();
            return (watch.Elapsed, state, Directory.EnumerateFiles(folder).Sum(file => new FileInfo(file).Length));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static DagBuilder Chain(int length)
    {
        var dag = new DagBuilder("chain");
        for (var i = 0; i < length; i++)
        {
            var task = dag.Task($"c{i}", "noop");
            if (i > 0)
            {
                task.DependsOn($"c{i - 1}");
            }
        }

        return dag;
    }

    private static DagBuilder Fanout(int width)
    {
        var dag = new DagBuilder("fanout");
        dag.Task("root", "noop");
        var join = dag.Task("join", "noop");
        for (var i = 0; i < width; i++)
        {
            dag.Task($"w{i}", "noop").DependsOn("root");
            join.DependsOn($"w{i}");
        }

        return dag;
    }

    private static DagBuilder Layers(int layers, int width)
    {
        var dag = new DagBuilder("layers");
        for (var layer = 0; layer < layers; layer++)
        {
            for (var i = 0; i < width; i++)
            {
                var task = dag.Task($"l{layer}_{i}", "noop");
                if (layer > 0)
                {
                    task.DependsOn($"l{layer - 1}_{(i * 7) % width}");
                }
            }
        }

        return dag;
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    /// <summary>A no-op task that notes when it ran and logs <see cref="LogLines"/> lines.</summary>
    private sealed class MarkingExecutor : ITaskExecutor
    {
        public Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < LogLines; i++)
            {
                context.Log.Write("info", $"step {i} of {context.TaskId.Value}: done");
            }

            Marks[context.TaskId.Value] = (start, Stopwatch.GetTimestamp());
            return Task.FromResult<JsonElement?>(null);
        }
    }
}
