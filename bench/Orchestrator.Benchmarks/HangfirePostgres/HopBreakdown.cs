using System.Globalization;
using Npgsql;

namespace Orchestrator.Benchmarks.HangfirePostgres;

/// <summary>Where one CHAIN hop's time goes, from Hangfire's own state history (hangfire.state.createdat, written by
/// the process that changed the state) and the marks: parent body end → parent Succeeded (the worker's state
/// transition) → child Enqueued (continuation moved out of Awaiting) → child Processing (fetched and claimed by a
/// worker) → child body start. Medians over the hops of one chain.</summary>
internal static class HopBreakdown
{
    public static async Task<string> DescribeAsync(NpgsqlDataSource database, string run)
    {
        // state.createdat is a UTC wall time without zone; the marks are timestamptz.
        const string Sql = """
            WITH m AS (SELECT substr(task, 2)::int AS i, job_id::bigint AS job, started, finished FROM bench.marks WHERE run = $1),
            s AS (SELECT jobid, name, min(createdat AT TIME ZONE 'UTC') AS at FROM hangfire.state WHERE jobid IN (SELECT job FROM m) GROUP BY jobid, name)
            SELECT extract(epoch FROM ps.at - p.finished)::float8 * 1000.0, extract(epoch FROM ce.at - ps.at)::float8 * 1000.0,
                   extract(epoch FROM cp.at - ce.at)::float8 * 1000.0, extract(epoch FROM c.started - cp.at)::float8 * 1000.0
            FROM m p JOIN m c ON c.i = p.i + 1
            JOIN s ps ON ps.jobid = p.job AND ps.name = 'Succeeded'
            JOIN s ce ON ce.jobid = c.job AND ce.name = 'Enqueued'
            JOIN s cp ON cp.jobid = c.job AND cp.name = 'Processing'
            """;
        await using var command = database.CreateCommand(Sql);
        command.Parameters.AddWithValue(run);
        await using var reader = await command.ExecuteReaderAsync();
        var segments = new[] { new List<double>(), new List<double>(), new List<double>(), new List<double>() };
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < segments.Length; i++)
            {
                segments[i].Add(Convert.ToDouble(reader.GetValue(i), CultureInfo.InvariantCulture));
            }
        }

        if (segments[0].Count == 0)
        {
            return "hop breakdown: no state history found";
        }

        var m = segments.Select(HangfirePgWorkloads.Median).ToArray();
        return string.Create(CultureInfo.InvariantCulture,
            $"hop breakdown (medians, ms): body end → Succeeded {m[0]:F2}, → child Enqueued {m[1]:F2}, → child Processing (fetch) {m[2]:F2}, → child body {m[3]:F2}");
    }
}
