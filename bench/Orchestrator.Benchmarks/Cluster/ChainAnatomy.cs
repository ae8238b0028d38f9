using System.Globalization;
using Npgsql;

namespace Orchestrator.Benchmarks.Cluster;

/// <summary>Where a CHAIN hop's time goes on the cluster, from the rows the processes write: the previous try's end
/// (worker) → its report committed (try_reports; the product deletes a report once recorded, so the bench copies each
/// insert with the server's clock through a trigger of its own) → the next task queued (task_state_changes "queued",
/// stamped with the scheduler's clock when it plans; the previous task's "success" change carries the try's end
/// time, not the time it was recorded, so it cannot split this segment) → the next try claimed (task_tries
/// started_at: on the fast path the scheduler's commit, its flusher's NOTIFY and a worker's batch claim; Hangfire's
/// batch jobs carry many tries, so they no longer split a hop). A try a worker starts itself right after its
/// upstream's success (follow-on) is never queued: its hop shows only in the first and last segments. Medians and
/// p90 over the hops of one chain. Every clock is on this one machine.</summary>
internal static class ChainAnatomy
{
    public static readonly string[] Segments =
    [
        "try end → report committed (worker: log drain, INSERT try_reports)",
        "report → next task queued (NOTIFY, scheduler reads the reports, records the try, plans the next)",
        "queued → try claimed (scheduler: commit of the plan, NOTIFY on the queue; worker: batch claim)",
        "report committed → next report committed (the whole next hop: its start, by follow-on or claim, its run and report)",
    ];

    /// <summary>Installs the bench's copy of try_reports inserts (run after <c>db migrate</c>).</summary>
    public static async Task InstallAsync(NpgsqlDataSource database)
    {
        await using var command = database.CreateCommand("""
            CREATE SCHEMA IF NOT EXISTS bench;
            CREATE TABLE IF NOT EXISTS bench.report_log (run_id TEXT, task_id TEXT, try_number BIGINT, reported_at BIGINT, committed_ms FLOAT8);
            CREATE OR REPLACE FUNCTION bench.copy_report() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO bench.report_log VALUES (NEW.run_id, NEW.task_id, NEW.try_number, NEW.reported_at,
                    extract(epoch FROM clock_timestamp())::float8 * 1000.0);
                RETURN NULL;
            END $$;
            DROP TRIGGER IF EXISTS tr_bench_copy_report ON orchestrator.try_reports;
            CREATE TRIGGER tr_bench_copy_report AFTER INSERT ON orchestrator.try_reports FOR EACH ROW EXECUTE FUNCTION bench.copy_report();
            """);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Turns the report copy on for CHAIN and off for the other workloads: a trigger on every report would
    /// be the bench's cost counted as the engine's in FANOUT and BULK.</summary>
    public static async Task CopyReportsAsync(NpgsqlDataSource database, bool on)
    {
        await using var command = database.CreateCommand(
            $"ALTER TABLE orchestrator.try_reports {(on ? "ENABLE" : "DISABLE")} TRIGGER tr_bench_copy_report");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>One line per segment: median and p90 in ms over the chain's hops.</summary>
    public static async Task<List<string>> DescribeAsync(NpgsqlDataSource database, string runId)
    {
        const string Sql = """
            WITH hops AS (
              SELECT p.task_id AS prev, n.task_id AS next, p.ended_at::float8 AS prev_end, n.started_at::float8 AS next_claim
                FROM orchestrator.task_tries p
                JOIN orchestrator.task_tries n ON n.run_id = p.run_id AND n.task_id = 'c' || (substr(p.task_id, 2)::int + 1) AND n.try_number = 1
               WHERE p.run_id = $1 AND p.try_number = 1),
            changes AS (SELECT task_id, to_state, min(at)::float8 AS at FROM orchestrator.task_state_changes WHERE run_id = $1 GROUP BY task_id, to_state)
            SELECT r.committed_ms - h.prev_end, q.at - r.committed_ms, h.next_claim - q.at, nr.committed_ms - r.committed_ms
              FROM hops h
              LEFT JOIN bench.report_log r ON r.run_id = $1 AND r.task_id = h.prev AND r.try_number = 1
              LEFT JOIN bench.report_log nr ON nr.run_id = $1 AND nr.task_id = h.next AND nr.try_number = 1
              LEFT JOIN changes q ON q.task_id = h.next AND q.to_state = 'queued'
            """;
        await using var command = database.CreateCommand(Sql);
        command.Parameters.AddWithValue(runId);
        await using var reader = await command.ExecuteReaderAsync();
        var values = Segments.Select(_ => new List<double>()).ToArray();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < values.Length; i++)
            {
                if (!reader.IsDBNull(i))
                {
                    values[i].Add(reader.GetDouble(i));
                }
            }
        }

        return [.. Segments.Select((name, i) => values[i].Count == 0
            ? $"{name}: no rows"
            : string.Create(CultureInfo.InvariantCulture,
                $"{name}: median {Workloads.Median(values[i]):F1} ms, p90 {Workloads.Percentile(values[i], 0.9):F1} ms, mean {values[i].Average():F1} ms ({values[i].Count} hops)"))];
    }
}
