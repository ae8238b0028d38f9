using System.Globalization;
using Hangfire;
using Hangfire.States;
using Npgsql;

namespace Orchestrator.Benchmarks.HangfirePostgres;

/// <summary>CHAIN, FANOUT and BULK as plain Hangfire jobs, timed from the rows the jobs write to bench.marks.
/// The same workloads as the engine benchmark: CHAIN 200 dependent no-ops (per-hop = next start − previous end,
/// median); FANOUT 1 → 1,000 (1,000 / (last child's end − root's end)); BULK 10,000 independent no-ops
/// (10,000 / (last end − first enqueue)).</summary>
internal sealed class HangfirePgWorkloads(NpgsqlDataSource database, IBackgroundJobClient client, int bulkClients)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(15);
    // Process-wide, so no two workloads of one bench share a run id (the marks table outlives an option set).
    private static int runs;

    /// <summary>The run id of the last workload, to look its marks up.</summary>
    public string LastRun { get; private set; } = "";

    /// <summary>Median milliseconds between one link's end and the next link's start.</summary>
    public async Task<double> ChainAsync(int length)
    {
        var run = NextRun("chain");
        // The head waits (scheduled far ahead) until every continuation is attached, so no hop races the set-up.
        var head = client.Create(() => HangfirePgJobs.Mark(run, "c0", null), new ScheduledState(TimeSpan.FromDays(1)));
        var previous = head;
        for (var i = 1; i < length; i++)
        {
            var task = $"c{i}";
            previous = client.ContinueJobWith(previous, () => HangfirePgJobs.Mark(run, task, null));
        }

        client.ChangeState(head, new EnqueuedState(), ScheduledState.StateName);
        await WaitForAsync(run, length);
        var hops = await ListAsync(
            "SELECT extract(epoch FROM (n.started - p.finished))::float8 * 1000.0 FROM bench.marks p JOIN bench.marks n " +
            "ON n.run = p.run AND n.task = 'c' || (substr(p.task, 2)::int + 1) WHERE p.run = $1", run);
        LastHops = [.. hops.Order()];
        return Median(hops);
    }

    /// <summary>The last chain's hops, sorted, to show their spread (a 1 s lock retry shows as a second mode).</summary>
    public IReadOnlyList<double> LastHops { get; private set; } = [];

    /// <summary>Tasks per second from the root's end to the last child's end, and the root's own enqueue rate.</summary>
    public async Task<(double TasksPerSecond, double EnqueuesPerSecond)> FanoutAsync(int width)
    {
        var run = NextRun("fanout");
        client.Enqueue(() => HangfirePgJobs.FanOutRoot(run, width, null));
        await WaitForAsync(run, width + 2);
        var seconds = await ScalarAsync<double>(
            "SELECT extract(epoch FROM (max(finished) FILTER (WHERE task LIKE 'w%') - max(finished) FILTER (WHERE task = 'root')))::float8 FROM bench.marks WHERE run = $1", run);
        var enqueueSeconds = await ScalarAsync<double>(
            "SELECT extract(epoch FROM (max(started) FILTER (WHERE task = 'root-enqueued') - max(finished) FILTER (WHERE task = 'root')))::float8 FROM bench.marks WHERE run = $1", run);
        return (width / seconds, width / enqueueSeconds);
    }

    /// <summary>Tasks per second from the first enqueue to the last job's end, and the clients' enqueue rate.</summary>
    public async Task<(double TasksPerSecond, double EnqueuesPerSecond)> BulkAsync(int count)
    {
        var run = NextRun("bulk");
        var first = TimeProvider.System.GetUtcNow();
        // Hangfire has no batch enqueue (batches are Hangfire.Pro): several clients enqueue one job each at a time.
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = bulkClients }, (i, _) =>
        {
            var task = $"b{i}";
            client.Enqueue(() => HangfirePgJobs.Mark(run, task, null));
            return ValueTask.CompletedTask;
        });
        var enqueued = TimeProvider.System.GetUtcNow();
        await WaitForAsync(run, count);
        var last = await ScalarAsync<DateTime>("SELECT max(finished) FROM bench.marks WHERE run = $1", run);
        return (count / (last - first.UtcDateTime).TotalSeconds, count / (enqueued - first).TotalSeconds);
    }

    private string NextRun(string workload)
    {
        LastRun = string.Create(CultureInfo.InvariantCulture, $"{workload}-{Environment.ProcessId}-{Interlocked.Increment(ref runs)}");
        return LastRun;
    }

    private async Task WaitForAsync(string run, int expected)
    {
        var deadline = TimeProvider.System.GetTimestamp();
        while (await ScalarAsync<long>("SELECT count(*) FROM bench.marks WHERE run = $1", run) < expected)
        {
            if (TimeProvider.System.GetElapsedTime(deadline) > Timeout)
            {
                throw new TimeoutException($"{run}: fewer than {expected} jobs finished within {Timeout.TotalMinutes} minutes");
            }

            await Task.Delay(50);
        }
    }

    private async Task<T> ScalarAsync<T>(string sql, string run)
    {
        await using var command = database.CreateCommand(sql);
        command.Parameters.AddWithValue(run);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<double>> ListAsync(string sql, string run)
    {
        await using var command = database.CreateCommand(sql);
        command.Parameters.AddWithValue(run);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<double>();
        while (await reader.ReadAsync())
        {
            values.Add(Convert.ToDouble(reader.GetValue(0), CultureInfo.InvariantCulture));
        }

        return values;
    }

    internal static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }
}
