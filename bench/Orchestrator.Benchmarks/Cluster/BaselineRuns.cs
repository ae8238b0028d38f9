using Hangfire;
using Npgsql;
using Orchestrator.Benchmarks.HangfirePostgres;

namespace Orchestrator.Benchmarks.Cluster;

/// <summary>The raw Hangfire.PostgreSql baseline (the <c>hangfire-pg</c> bench's workloads and worker processes) on a
/// database of its own on the same server, with as many worker processes and threads as the cluster has workers and
/// slots, so the three columns of the table come from one run on one machine.</summary>
internal static class BaselineRuns
{
    public static async Task<Figures> MeasureAsync(string serverConnection, string optionSet, int workers, int threads, int repetitions)
    {
        var connection = await CreateDatabaseAsync(serverConnection, "hangfire_baseline");
        await using var database = NpgsqlDataSource.Create(connection);
        var storage = HangfirePgOptionSets.CreateStorage(connection, optionSet); // installs Hangfire's schema
        await using (var command = database.CreateCommand(HangfirePgJobs.CreateTableSql))
        {
            await command.ExecuteNonQueryAsync();
        }

        Progress($"starting {workers} Hangfire worker processes × {threads} threads ({optionSet})");
        await using var processes = await WorkerProcesses.StartAsync(connection, optionSet, workers, threads);
        var workloads = new HangfirePgWorkloads(database, new BackgroundJobClient(storage), bulkClients: 4);
        Progress("warming up");
        await workloads.ChainAsync(20);
        await workloads.FanoutAsync(100);
        await workloads.BulkAsync(500);
        var figures = new Figures();
        for (var r = 1; r <= repetitions; r++)
        {
            Progress($"repetition {r}/{repetitions}: CHAIN {Workloads.ChainLength}");
            await workloads.ChainAsync(Workloads.ChainLength);
            figures.Hops.AddRange(workloads.LastHops);
            Progress($"repetition {r}/{repetitions}: FANOUT 1 → {Workloads.FanoutWidth:N0}");
            figures.Fanout.Add((await workloads.FanoutAsync(Workloads.FanoutWidth)).TasksPerSecond);
            Progress($"repetition {r}/{repetitions}: BULK {Workloads.BulkCount:N0}");
            figures.Bulk.Add((await workloads.BulkAsync(Workloads.BulkCount)).TasksPerSecond);
        }

        return figures;
    }

    internal static async Task<string> CreateDatabaseAsync(string serverConnection, string name)
    {
        await using (var server = NpgsqlDataSource.Create(serverConnection))
        await using (var command = server.CreateCommand($"CREATE DATABASE {name}"))
        {
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(serverConnection) { Database = name }.ConnectionString;
    }

    private static void Progress(string message) => Console.Error.WriteLine($"[cluster/baseline] {message}");
}

/// <summary>One engine's figures over the repetitions: every CHAIN hop (ms), FANOUT and BULK rates (tasks/s), and
/// what did not finish.</summary>
internal sealed class Figures
{
    public List<double> Hops { get; } = [];

    public List<double> Fanout { get; } = [];

    public List<double> Bulk { get; } = [];

    public List<string> Unfinished { get; } = [];
}
