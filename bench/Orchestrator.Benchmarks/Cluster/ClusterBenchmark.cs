using System.Globalization;
using Npgsql;
using Orchestrator.Benchmarks.HangfirePostgres;

namespace Orchestrator.Benchmarks.Cluster;

/// <summary>The distributed engine end to end (issue 12): one `orchestrator scheduler` and N `orchestrator worker`
/// processes on a throwaway PostgreSQL 15 (fsync on), the engine benchmark's CHAIN / FANOUT / BULK triggered with
/// `orchestrator dags trigger` and timed from the store's rows; in the same invocation the same workloads on the
/// embedded engine and on raw Hangfire.PostgreSql, and one table with ratios. Results on stdout, progress on stderr.</summary>
internal static class ClusterBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var settings = ClusterSettings.Parse(args);
        var slots = settings.Workers * settings.Concurrency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cluster benchmark: {Environment.ProcessorCount} cores, load average {LoadAverage()}; {settings.Workers} worker processes × concurrency {settings.Concurrency}, " +
            $"1 scheduler process; task type '{settings.TaskType}'; {settings.Repetitions} repetition(s) after a warm-up; bound {settings.Timeout.TotalMinutes:0} min per workload"));

        Progress($"embedded engine ({slots} workers, SQLite WAL, Hangfire in-memory)");
        var embedded = await MeasureEmbeddedAsync(settings.Repetitions, slots);

        Progress("starting a throwaway PostgreSQL 15 (fsync on)");
        await using var server = await ThrowawayPostgres.StartAsync();
        var storage = await BaselineRuns.CreateDatabaseAsync(server.ConnectionString, "orchestrator");
        await using var database = NpgsqlDataSource.Create(storage);
        Console.WriteLine($"PostgreSQL: fsync={await ShowAsync(database, "fsync")} synchronous_commit={await ShowAsync(database, "synchronous_commit")}");
        var cluster = await MeasureClusterAsync(settings, storage, database);
        Console.WriteLine($"load average after the cluster runs: {LoadAverage()}");

        var baseline = settings.Baseline == "none" ? null : await BaselineRuns.MeasureAsync(server.ConnectionString, settings.Baseline, settings.Workers, settings.Concurrency, settings.Repetitions);
        Console.WriteLine($"load average at the end: {LoadAverage()}");
        ResultTable.Print(settings, cluster, embedded, baseline);
        Progress("done; stopping PostgreSQL");
    }

    private static async Task<Figures> MeasureClusterAsync(ClusterSettings settings, string storage, NpgsqlDataSource database)
    {
        var root = Directory.CreateTempSubdirectory("orchestrator-cluster-bench-").FullName;
        var figures = new Figures();
        try
        {
            await using var cluster = new ClusterProcesses(storage, root);
            WriteDags(cluster.Dags, settings.TaskType);
            Progress("orchestrator db migrate");
            Console.WriteLine((await cluster.RunAsync("db", "migrate")).Trim());
            await ChainAnatomy.InstallAsync(database);
            Progress($"starting 1 scheduler and {settings.Workers} worker processes (logs in {cluster.Logs})");
            cluster.StartRole("scheduler", "scheduler");
            for (var i = 1; i <= settings.Workers; i++)
            {
                cluster.StartRole($"worker-{i}", "worker", "--concurrency", settings.Concurrency.ToString(CultureInfo.InvariantCulture));
            }

            await WaitForWorkersAsync(database, settings.Workers, cluster);
            var runs = new ClusterRuns(cluster, database, settings.Timeout);
            Progress("warming up (CHAIN 20, FANOUT 100, BULK 500)");
            foreach (var warmUp in new[] { "warm_chain", "warm_fanout", "warm_bulk" })
            {
                if (await runs.RunAsync(warmUp) is null)
                {
                    figures.Unfinished.Add($"warm-up {warmUp}");
                }
            }

            var stats = new StatementStats(database);
            for (var r = 1; r <= settings.Repetitions; r++)
            {
                var last = r == settings.Repetitions;
                await MeasureRepetitionAsync(runs, database, stats, figures, $"{r}/{settings.Repetitions}", last);
            }

            return figures;
        }
        finally
        {
            // The roles' logs stay (they explain a slow or unfinished run); the DAGs and home go.
            Progress($"cluster processes stopped; their logs stay in {Path.Combine(root, "logs")}");
            foreach (var folder in new[] { "dags", "home" })
            {
                try
                {
                    Directory.Delete(Path.Combine(root, folder), recursive: true);
                }
                catch (IOException exception)
                {
                    Progress($"could not delete {folder} of {root}: {exception.Message}");
                }
            }
        }
    }

    private static async Task MeasureRepetitionAsync(ClusterRuns runs, NpgsqlDataSource database, StatementStats stats, Figures figures, string repetition, bool last)
    {
        Progress($"repetition {repetition}: CHAIN {Workloads.ChainLength}");
        if (last)
        {
            await stats.StartAsync();
        }

        await ChainAnatomy.CopyReportsAsync(database, on: true);
        var measured = await runs.RunAsync("bench_chain");
        await ChainAnatomy.CopyReportsAsync(database, on: false);
        if (measured is { } chain)
        {
            var hops = await runs.ChainHopsAsync(chain);
            figures.Hops.AddRange(hops);
            Progress(string.Create(CultureInfo.InvariantCulture, $"CHAIN median {Workloads.Median(hops):F1} ms/hop"));
            if (last)
            {
                Report("CHAIN, per task", await stats.ReportAsync(Workloads.ChainLength));
                Console.WriteLine("CHAIN hop breakdown (store rows and Hangfire's state history):");
                (await ChainAnatomy.DescribeAsync(database, chain)).ForEach(line => Console.WriteLine($"  {line}"));
            }
        }
        else
        {
            figures.Unfinished.Add($"CHAIN (repetition {repetition})");
        }

        Progress($"repetition {repetition}: FANOUT 1 → {Workloads.FanoutWidth:N0}");
        if (await runs.RunAsync("bench_fanout") is { } fanout)
        {
            figures.Fanout.Add(await runs.FanoutRateAsync(fanout, Workloads.FanoutWidth));
            Progress(string.Create(CultureInfo.InvariantCulture, $"FANOUT {figures.Fanout[^1]:F0} tasks/s"));
        }
        else
        {
            figures.Unfinished.Add($"FANOUT (repetition {repetition})");
        }

        Progress($"repetition {repetition}: BULK {Workloads.BulkCount:N0}");
        if (last)
        {
            await stats.StartAsync();
        }

        if (await runs.RunAsync("bench_bulk") is { } bulk)
        {
            figures.Bulk.Add(await runs.BulkRateAsync(bulk, Workloads.BulkCount));
            Progress(string.Create(CultureInfo.InvariantCulture, $"BULK {figures.Bulk[^1]:F0} tasks/s"));
            if (last)
            {
                Report("BULK, per task", await stats.ReportAsync(Workloads.BulkCount));
            }
        }
        else
        {
            var (rate, ended) = await runs.PartialRateAsync(runs.LastRunId);
            figures.Unfinished.Add(string.Create(CultureInfo.InvariantCulture,
                $"BULK (repetition {repetition}: {ended:N0} of {Workloads.BulkCount:N0} tasks ended, {rate:F0} tasks/s since the run started)"));
            if (last)
            {
                Report("BULK, per task ended (unfinished run)", await stats.ReportAsync((int)Math.Max(1, ended)));
            }
        }
    }

    private static async Task<Figures> MeasureEmbeddedAsync(int repetitions, int workers)
    {
        // Warm: tiered JIT settles after a few seconds of the same work (as the engine benchmark's warm-up).
        var warmUp = TimeProvider.System.GetTimestamp();
        while (TimeProvider.System.GetElapsedTime(warmUp) < TimeSpan.FromSeconds(10))
        {
            await EmbeddedRuns.ChainHopsAsync(Workloads.ChainLength, workers);
            await EmbeddedRuns.FanoutRateAsync(Workloads.FanoutWidth, workers);
        }

        await EmbeddedRuns.BulkRateAsync(1_000, workers);
        var figures = new Figures();
        for (var r = 1; r <= repetitions; r++)
        {
            figures.Hops.AddRange(await EmbeddedRuns.ChainHopsAsync(Workloads.ChainLength, workers));
            figures.Fanout.Add(await EmbeddedRuns.FanoutRateAsync(Workloads.FanoutWidth, workers));
            figures.Bulk.Add(await EmbeddedRuns.BulkRateAsync(Workloads.BulkCount, workers));
            Progress(string.Create(CultureInfo.InvariantCulture,
                $"embedded repetition {r}/{repetitions}: CHAIN {Workloads.Median(figures.Hops):F2} ms/hop, FANOUT {figures.Fanout[^1]:F0}/s, BULK {figures.Bulk[^1]:F0}/s"));
        }

        return figures;
    }

    private static void WriteDags(string folder, string type)
    {
        void Write(string id, IEnumerable<(string, string?)> tasks) => File.WriteAllText(Path.Combine(folder, id + ".json"), Workloads.Json(id, tasks, type));
        Write("warm_chain", Workloads.Chain(20));
        Write("warm_fanout", Workloads.Fanout(100));
        Write("warm_bulk", Workloads.Bulk(500));
        Write("bench_chain", Workloads.Chain(Workloads.ChainLength));
        Write("bench_fanout", Workloads.Fanout(Workloads.FanoutWidth));
        Write("bench_bulk", Workloads.Bulk(Workloads.BulkCount));
    }

    /// <summary>Until every worker has registered in the store's workers table (bounded).</summary>
    private static async Task WaitForWorkersAsync(NpgsqlDataSource database, int workers, ClusterProcesses cluster)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            await using var command = database.CreateCommand("SELECT count(*) FROM orchestrator.workers WHERE stopped_at IS NULL");
            if ((long)(await command.ExecuteScalarAsync())! >= workers)
            {
                return;
            }

            if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromMinutes(2) || cluster.Exited().Any())
            {
                throw new TimeoutException($"the {workers} workers did not register within 2 min (exited: {string.Join(", ", cluster.Exited())}); see {cluster.Logs}");
            }

            await Task.Delay(200);
        }
    }

    private static async Task<string> ShowAsync(NpgsqlDataSource database, string setting)
    {
        await using var command = database.CreateCommand($"SHOW {setting}");
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static void Report(string title, List<string> lines)
    {
        Console.WriteLine($"database cost, {title} (all processes, incl. the bench's 10/s run-state poll):");
        lines.ForEach(line => Console.WriteLine($"  {line.Replace(" (one of them the bench's own mark)", "", StringComparison.Ordinal)}"));
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();

    private static void Progress(string message) => Console.Error.WriteLine($"[cluster] {message}");
}
