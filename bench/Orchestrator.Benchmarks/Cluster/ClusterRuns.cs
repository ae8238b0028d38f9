using System.Globalization;
using Npgsql;

namespace Orchestrator.Benchmarks.Cluster;

/// <summary>Triggers a workload's DAG on the running cluster (<c>orchestrator dags trigger</c>, as a user would),
/// waits for its run to end within a bound, and reads its figures from the store's rows (task_tries started_at /
/// ended_at, dag_runs started_at; milliseconds since the epoch, written by the worker and scheduler processes).</summary>
internal sealed class ClusterRuns(ClusterProcesses cluster, NpgsqlDataSource database, TimeSpan timeout)
{
    /// <summary>Triggers <paramref name="dagId"/> and waits for its run: the run id, or null when it did not end
    /// within the bound (the reason is printed; <see cref="LastRunId"/> names it for a partial measure).</summary>
    public async Task<string?> RunAsync(string dagId)
    {
        var runId = (await cluster.RunAsync("dags", "trigger", dagId)).Trim().Split('\n')[^1].Trim();
        LastRunId = runId;
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var state = await ScalarAsync<string>("SELECT state FROM orchestrator.dag_runs WHERE run_id = $1", runId);
            if (state == "success")
            {
                return runId;
            }

            if (state == "failed")
            {
                throw new InvalidOperationException($"run {runId} of {dagId} failed: {await DescribeAsync(runId)}");
            }

            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                var exited = string.Join(", ", cluster.Exited());
                Console.Error.WriteLine($"[cluster] {dagId}: run {runId} did not finish within {timeout.TotalMinutes:0} min ({await DescribeAsync(runId)}){(exited.Length > 0 ? $"; roles exited: {exited}" : "")}");
                return null;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The run the last <see cref="RunAsync"/> triggered, finished or not.</summary>
    public string LastRunId { get; private set; } = "";

    /// <summary>A run that did not finish: tasks ended so far per second since the run started, and how many.</summary>
    public async Task<(double Rate, long Ended)> PartialRateAsync(string runId)
    {
        await using var command = database.CreateCommand(
            """
            SELECT count(t.ended_at), (extract(epoch FROM clock_timestamp()) * 1000.0 - r.started_at)::float8 / 1000.0
              FROM orchestrator.dag_runs r LEFT JOIN orchestrator.task_tries t ON t.run_id = r.run_id
             WHERE r.run_id = $1 GROUP BY r.started_at
            """);
        command.Parameters.AddWithValue(runId);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() && !reader.IsDBNull(1) ? (reader.GetInt64(0) / reader.GetDouble(1), reader.GetInt64(0)) : (double.NaN, 0);
    }

    /// <summary>CHAIN: each hop = the next task's report committed − the previous task's report committed (ms, the
    /// server's clock at each commit, copied by the bench's trigger; see <see cref="ChainAnatomy"/>). A whole cycle per
    /// hop — start, run and report of the next try — measured where the product cannot shade it: a try's started_at
    /// is stamped before the transaction that starts it commits, and the store keeps whole milliseconds.</summary>
    public Task<List<double>> ChainHopsAsync(string runId) => ListAsync(
        """
        SELECT n.committed_ms - p.committed_ms FROM bench.report_log p
          JOIN bench.report_log n ON n.run_id = p.run_id AND n.task_id = 'c' || (substr(p.task_id, 2)::int + 1) AND n.try_number = 1
         WHERE p.run_id = $1 AND p.try_number = 1
        """, runId);

    /// <summary>FANOUT: children per second from the root's end to the run's end, which the scheduler commits once every
    /// child's end is recorded (a child's own ended_at is its worker's clock when it ended, before anything is durable).</summary>
    public async Task<double> FanoutRateAsync(string runId, int width) => width / (await ScalarAsync<double>(
        """
        SELECT (r.ended_at - t.ended_at)::float8 / 1000.0
          FROM orchestrator.dag_runs r JOIN orchestrator.task_tries t ON t.run_id = r.run_id AND t.task_id = 'root' AND t.try_number = 1
         WHERE r.run_id = $1
        """, runId));

    /// <summary>BULK: tasks per second from the run's start (the scheduler starting it) to its end (every task's end
    /// recorded), as the embedded engine's BULK is timed.</summary>
    public async Task<double> BulkRateAsync(string runId, int count) => count / (await ScalarAsync<double>(
        "SELECT (ended_at - started_at)::float8 / 1000.0 FROM orchestrator.dag_runs WHERE run_id = $1", runId));

    private async Task<string> DescribeAsync(string runId)
    {
        var counts = await ListTextAsync("SELECT state || ' ' || count(*) FROM orchestrator.task_instances WHERE run_id = $1 GROUP BY state ORDER BY state", runId);
        var run = await ScalarAsync<string>("SELECT state FROM orchestrator.dag_runs WHERE run_id = $1", runId);
        return $"run {run ?? "missing"}; tasks: {string.Join(", ", counts)}";
    }

    private async Task<T?> ScalarAsync<T>(string sql, string runId)
    {
        await using var command = database.CreateCommand(sql);
        command.Parameters.AddWithValue(runId);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, typeof(T), CultureInfo.InvariantCulture);
    }

    private async Task<List<double>> ListAsync(string sql, string runId)
    {
        await using var command = database.CreateCommand(sql);
        command.Parameters.AddWithValue(runId);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<double>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetDouble(0));
        }

        return values;
    }

    private async Task<List<string>> ListTextAsync(string sql, string runId)
    {
        await using var command = database.CreateCommand(sql);
        command.Parameters.AddWithValue(runId);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
