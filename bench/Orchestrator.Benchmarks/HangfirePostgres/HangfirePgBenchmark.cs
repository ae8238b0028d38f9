using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using Npgsql;

namespace Orchestrator.Benchmarks.HangfirePostgres;

/// <summary>The distributed baseline (issue 12): raw Hangfire.Core + Hangfire.PostgreSql, plain continuations and
/// enqueues, on PostgreSQL with fsync on and separate worker processes, once per option set. Results on stdout in the
/// engine benchmark's shape, progress on stderr.
/// Usage: hangfire-pg [--workers 2] [--threads 2] [--repetitions 3] [--sets default,longpoll,…] [--bulk-clients 4]</summary>
internal static class HangfirePgBenchmark
{
    private sealed record Settings(int Workers, int Threads, int Repetitions, IReadOnlyList<string> Sets, int BulkClients);

    private sealed record Result(string Set, List<double> Hops, List<double> Fanout, List<double> Bulk, string Breakdown);

    public static async Task RunAsync(string[] args)
    {
        var settings = Parse(args);
        var external = Environment.GetEnvironmentVariable("ORCHESTRATOR_BENCH_POSTGRES");
        Progress(external is null ? "starting a throwaway PostgreSQL 15 (fsync on)" : "using ORCHESTRATOR_BENCH_POSTGRES");
        await using var server = external is null ? await ThrowawayPostgres.StartAsync() : null;
        var connectionString = external ?? server!.ConnectionString;
        await using var database = NpgsqlDataSource.Create(connectionString);
        await PrepareAsync(database, connectionString);

        var fsync = await ShowAsync(database, "fsync");
        var synchronousCommit = await ShowAsync(database, "synchronous_commit");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"hangfire-pg benchmark: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Trim()}, PostgreSQL fsync={fsync} " +
            $"synchronous_commit={synchronousCommit}; {settings.Workers} worker processes × {settings.Threads} worker threads; " +
            $"{settings.Repetitions} repetitions after a warm-up; BULK enqueued by {settings.BulkClients} concurrent clients"));
        var results = new List<Result>();
        foreach (var set in settings.Sets)
        {
            results.Add(await RunSetAsync(database, connectionString, set, settings));
        }

        Console.WriteLine();
        Console.WriteLine("| Option set | CHAIN ms/hop (median) | FANOUT tasks/s | BULK tasks/s |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var result in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {result.Set} | {HangfirePgWorkloads.Median(result.Hops):F2} | {HangfirePgWorkloads.Median(result.Fanout):F0} | {HangfirePgWorkloads.Median(result.Bulk):F0} |"));
        }

        Progress("done; stopping PostgreSQL");
    }

    private static async Task<Result> RunSetAsync(NpgsqlDataSource database, string connectionString, string set, Settings settings)
    {
        Console.WriteLine();
        Console.WriteLine($"[{set}] {HangfirePgOptionSets.Describe(set)}");
        Progress($"[{set}] starting {settings.Workers} worker processes");
        await using var workers = await WorkerProcesses.StartAsync(connectionString, set, settings.Workers, settings.Threads);
        var storage = HangfirePgOptionSets.CreateStorage(connectionString, set);
        var workloads = new HangfirePgWorkloads(database, new BackgroundJobClient(storage), settings.BulkClients);
        var stats = new StatementStats(database);

        Progress($"[{set}] warming up");
        await workloads.ChainAsync(20);
        await workloads.FanoutAsync(100);
        await workloads.BulkAsync(500);

        List<double> hops = [], fanout = [], bulk = [];
        var breakdown = "";
        for (var r = 1; r <= settings.Repetitions; r++)
        {
            var last = r == settings.Repetitions;
            Progress($"[{set}] repetition {r}/{settings.Repetitions}: CHAIN 200");
            if (last)
            {
                await stats.StartAsync();
            }

            hops.Add(await workloads.ChainAsync(200));
            if (last)
            {
                var sorted = workloads.LastHops;
                breakdown = await HopBreakdown.DescribeAsync(database, workloads.LastRun) + string.Create(CultureInfo.InvariantCulture,
                    $"; hops p10 {sorted[sorted.Count / 10]:F1}, p50 {sorted[sorted.Count / 2]:F1}, p90 {sorted[sorted.Count * 9 / 10]:F1}, mean {sorted.Average():F1} ms, {sorted.Count(h => h > 900)} of {sorted.Count} over 900 ms");
                Report("CHAIN, per hop", await stats.ReportAsync(200));
            }

            Progress($"[{set}] repetition {r}/{settings.Repetitions}: FANOUT 1 → 1,000 (CHAIN {hops[^1]:F2} ms/hop)");
            var (fanoutRate, rootEnqueues) = await workloads.FanoutAsync(1000);
            fanout.Add(fanoutRate);
            Progress(string.Create(CultureInfo.InvariantCulture, $"[{set}] repetition {r}/{settings.Repetitions}: BULK 10,000 (FANOUT {fanoutRate:F0}/s; the root enqueued {rootEnqueues:F0}/s)"));
            if (last)
            {
                await stats.StartAsync();
            }

            var (bulkRate, clientEnqueues) = await workloads.BulkAsync(10_000);
            bulk.Add(bulkRate);
            Progress(string.Create(CultureInfo.InvariantCulture, $"[{set}] repetition {r}/{settings.Repetitions}: BULK {bulkRate:F0}/s (clients enqueued {clientEnqueues:F0}/s)"));
            if (last)
            {
                Report("BULK, per job", await stats.ReportAsync(10_000));
            }
        }

        Console.WriteLine(Runs("CHAIN  median per-hop latency", hops, "F2", "ms"));
        Console.WriteLine(breakdown);
        Console.WriteLine(Runs("FANOUT throughput", fanout, "F0", "tasks/s"));
        Console.WriteLine(Runs("BULK   throughput", bulk, "F0", "tasks/s"));
        return new Result(set, hops, fanout, bulk, breakdown);
    }

    private static async Task PrepareAsync(NpgsqlDataSource database, string connectionString)
    {
        Progress("installing Hangfire's schema and the bench's marks table");
        _ = HangfirePgOptionSets.CreateStorage(connectionString, "default");
        await using var command = database.CreateCommand(HangfirePgJobs.CreateTableSql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> ShowAsync(NpgsqlDataSource database, string setting)
    {
        await using var command = database.CreateCommand($"SHOW {setting}");
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static void Report(string title, List<string> lines)
    {
        Console.WriteLine($"database cost, {title}:");
        lines.ForEach(line => Console.WriteLine($"  {line}"));
    }

    private static string Runs(string title, List<double> values, string format, string unit) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{title}: {HangfirePgWorkloads.Median([.. values]).ToString(format, CultureInfo.InvariantCulture)} {unit} (runs: {string.Join(", ", values.Select(v => v.ToString(format, CultureInfo.InvariantCulture)))})");

    private static void Progress(string message) => Console.Error.WriteLine($"[hangfire-pg] {message}");

    private static Settings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"hangfire-pg: expected '--name value' pairs, got '{args[i]}' at argument {i + 1}");
            }

            values[args[i][2..]] = args[++i];
        }

        int Number(string name, int fallback)
        {
            if (!values.Remove(name, out var text))
            {
                return fallback;
            }

            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"hangfire-pg: --{name} expects a positive whole number, got '{text}'");
        }

        var settings = new Settings(Number("workers", 2), Number("threads", 2), Number("repetitions", 3),
            values.Remove("sets", out var sets) ? sets.Split(',') : HangfirePgOptionSets.Names, Number("bulk-clients", 4));
        foreach (var set in settings.Sets)
        {
            _ = HangfirePgOptionSets.Describe(set);
        }

        return values.Count == 0 ? settings : throw new ArgumentException($"hangfire-pg: unknown option --{values.Keys.First()}; expected --workers, --threads, --repetitions, --sets, --bulk-clients");
    }
}
