using System.Globalization;
using Npgsql;

namespace Orchestrator.Benchmarks.HangfirePostgres;

/// <summary>What one job costs the database: commits (pg_stat_database.xact_commit) and statements
/// (pg_stat_statements) over a workload, divided by its jobs. Counts every process — client, both workers, and the
/// bench's own bookkeeping (one autocommitted mark per job, a count query every 50 ms).</summary>
internal sealed class StatementStats(NpgsqlDataSource database)
{
    private long _commits;
    private bool _statements;

    public async Task StartAsync()
    {
        _statements = await TryAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements") && await TryAsync("SELECT pg_stat_statements_reset()");
        _commits = await CommitsAsync();
    }

    /// <summary>Lines describing the cost per job of what ran since <see cref="StartAsync"/>.</summary>
    public async Task<List<string>> ReportAsync(int jobs)
    {
        // Backends publish their counters when idle, at most about once a second (PostgreSQL 15's cumulative stats).
        await Task.Delay(TimeSpan.FromSeconds(2));
        var commits = await CommitsAsync() - _commits;
        var lines = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"commits per job: {commits / (double)jobs:F1} (one of them the bench's own mark)"),
        };
        if (!_statements)
        {
            lines.Add("pg_stat_statements is not available on this server: no statement counts");
            return lines;
        }

        await using var command = database.CreateCommand(
            "SELECT calls, mean_exec_time, regexp_replace(query, '\\s+', ' ', 'g') FROM pg_stat_statements " +
            "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY calls DESC");
        await using var reader = await command.ExecuteReaderAsync();
        long total = 0;
        var top = new List<string>();
        while (await reader.ReadAsync())
        {
            var calls = reader.GetInt64(0);
            total += calls;
            if (top.Count < 14 && calls >= jobs / 10)
            {
                var query = reader.GetString(2).Trim();
                top.Add(string.Create(CultureInfo.InvariantCulture, $"  {calls / (double)jobs,6:F2}/job {reader.GetDouble(1),7:F3} ms  {query[..Math.Min(110, query.Length)]}"));
            }
        }

        lines.Add(string.Create(CultureInfo.InvariantCulture, $"statements per job: {total / (double)jobs:F1}; the most frequent (calls per job, mean server time, text):"));
        lines.AddRange(top);
        return lines;
    }

    private async Task<long> CommitsAsync()
    {
        await using var command = database.CreateCommand("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<bool> TryAsync(string sql)
    {
        try
        {
            await using var command = database.CreateCommand(sql);
            await command.ExecuteNonQueryAsync();
            return true;
        }
        catch (PostgresException)
        {
            return false;
        }
    }
}
