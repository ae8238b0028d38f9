using Hangfire;
using Hangfire.Server;
using Npgsql;

namespace Orchestrator.Benchmarks.HangfirePostgres;

/// <summary>The baseline's job bodies. Each no-op job writes one row to the shared table bench.marks — when its body
/// started (this process's wall clock) and when it finished (the server's clock_timestamp(); same machine, same
/// clock) — so the bench measures from the database, whichever process ran the job. Hangfire calls these by
/// reflection, hence public static.</summary>
public static class HangfirePgJobs
{
    private static NpgsqlDataSource? marks;

    /// <summary>Points the job bodies of this process at the benchmark database.</summary>
    internal static void Configure(string connectionString)
    {
        // The marks are the bench's own bookkeeping, not the workload: their commits must not wait for fsync, or the
        // bench would add a disk flush to every job it measures.
        marks = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c synchronous_commit=off" }.ConnectionString);
    }

    internal static string CreateTableSql =>
        "CREATE SCHEMA IF NOT EXISTS bench; " +
        "CREATE TABLE IF NOT EXISTS bench.marks (run text NOT NULL, task text NOT NULL, job_id text, started timestamptz NOT NULL, " +
        "finished timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (run, task))";

    /// <summary>A no-op task: notes that it ran.</summary>
    public static void Mark(string run, string task, PerformContext? context) => Write(run, task, context, TimeProvider.System.GetUtcNow());

    /// <summary>FANOUT's root: notes that it ran, then enqueues <paramref name="width"/> no-op jobs one by one, as a
    /// dispatcher handing ready tasks to Hangfire would.</summary>
    public static void FanOutRoot(string run, int width, PerformContext? context)
    {
        Write(run, "root", context, TimeProvider.System.GetUtcNow());
        var client = new BackgroundJobClient(JobStorage.Current);
        for (var i = 0; i < width; i++)
        {
            var task = $"w{i}";
            client.Enqueue(() => Mark(run, task, null));
        }

        // When the last child was handed over: the cost of the enqueues alone, one after another.
        Write(run, "root-enqueued", context, TimeProvider.System.GetUtcNow());
    }

    private static void Write(string run, string task, PerformContext? context, DateTimeOffset started)
    {
        var source = marks ?? throw new InvalidOperationException("HangfirePgJobs.Configure was not called in this process");
        using var command = source.CreateCommand("INSERT INTO bench.marks (run, task, job_id, started) VALUES ($1, $2, $3, $4)");
        command.Parameters.AddWithValue(run);
        command.Parameters.AddWithValue(task);
        command.Parameters.AddWithValue((object?)context?.BackgroundJob.Id ?? DBNull.Value);
        command.Parameters.AddWithValue(started);
        command.ExecuteNonQuery();
    }
}
