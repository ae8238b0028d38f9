using System.Data.Common;
using Dapper;
using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>A worker's batch claim (<see cref="ITaskInstanceStore.ClaimQueuedAsync"/>): the queued instances are
/// locked first (skipping rows another transaction holds), then all get their try rows and become running, as
/// <see cref="TaskStatements.StartTryAsync"/> does it for one — three statements for the whole batch, in the
/// caller's one transaction, so a claim costs the same few round trips for one try or a hundred.</summary>
internal static class QueuedClaims
{
    public static async Task<IReadOnlyList<ClaimedTry>> ClaimAsync(
        DbConnection connection, DbTransaction transaction, SqlDatabase database, QueuedClaim claim, CancellationToken cancellationToken)
    {
        var (queues, parameters) = SqlInList.Of(claim.Queues);
        parameters.Add("limit", (long)claim.Limit);
        // The run's state is a scalar subquery per row, not a join: FOR UPDATE must lock the instances only, never
        // the run rows the schedulers write; and PostgreSQL turns EXISTS into a hash join that reads and sorts every
        // queued instance (66 ms with 9,000 queued), where this walks the queued-only index in claim order (0.7 ms).
        var candidates = (await connection.QueryAsync<Candidate>(SqlSession.Command($"""
            SELECT ti.run_id, ti.task_id, ti.try_number, ti.max_tries FROM task_instances ti
             WHERE ti.state = 'queued' AND ti.queue IN ({queues})
               AND (SELECT r.state = 'running' AND r.run_type <> 'test' FROM dag_runs r WHERE r.run_id = ti.run_id)
             ORDER BY ti.priority_weight DESC, ti.updated_at, ti.run_id, ti.task_id
             LIMIT @limit{database.ForUpdateSkipLocked}
            """, parameters, transaction, cancellationToken))).ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        var values = new DynamicParameters(new { workerId = claim.WorkerId, at = Ms.Of(claim.At), leaseUntil = Ms.Of(claim.LeaseUntil) });
        for (var i = 0; i < candidates.Count; i++)
        {
            values.Add($"r{i}", candidates[i].RunId);
            values.Add($"t{i}", candidates[i].TaskId);
            values.Add($"n{i}", candidates[i].TryNumber + 1);
        }

        var rows = string.Join(", ", candidates.Select((_, i) => $"(@r{i}, @t{i}, @n{i}, @workerId, @at, @leaseUntil)"));

        // A try row that already exists (never expected for a queued instance) leaves that instance as it is.
        var inserted = (await connection.QueryAsync<Key>(SqlSession.Command($"""
            INSERT INTO task_tries (run_id, task_id, try_number, worker_id, started_at, lease_until)
            VALUES {rows}
            ON CONFLICT (run_id, task_id, try_number) DO NOTHING
            RETURNING run_id, task_id
            """, values, transaction, cancellationToken))).Select(k => (k.RunId, k.TaskId)).ToHashSet();
        var started = candidates.Where(c => inserted.Contains((c.RunId, c.TaskId))).ToList();
        if (started.Count == 0)
        {
            return [];
        }

        // Rarely fewer than all: only those whose try row is new start.
        var keys = string.Join(", ", candidates.Select((c, i) => (c, i)).Where(p => inserted.Contains((p.c.RunId, p.c.TaskId))).Select(p => $"(@r{p.i}, @t{p.i})"));

        // The rows were read queued and locked in this transaction, so nobody changed them since: they are updated by
        // key alone. (A "state = 'queued'" here let PostgreSQL, whose statistics take a burst of queued instances
        // for one row, walk every queued instance once per key.)
        var updated = await connection.ExecuteAsync(SqlSession.Command($"""
            UPDATE task_instances
               SET state = 'running', try_number = try_number + 1,
                   state_reason = 'try ' || CAST(try_number + 1 AS TEXT) || ' started on ' || @workerId,
                   updated_at = @at, next_try_at = NULL, started_at = COALESCE(started_at, @at)
             WHERE (run_id, task_id) IN (VALUES {keys})
            """, values, transaction, cancellationToken));
        if (updated != started.Count)
        {
            throw new InvalidOperationException($"{started.Count - updated} of {started.Count} claimed task instances changed while locked for a claim");
        }

        return [.. started.Select(c => new ClaimedTry(new RunId(c.RunId), new TaskId(c.TaskId), (int)c.TryNumber + 1, (int)c.MaxTries))];
    }

    /// <summary>Undoes the claim of tries that never started (<see cref="ITaskInstanceStore.GiveBackAsync"/>): per try,
    /// a compare-and-set on the instance running that try with this worker's open try row, then that row deleted.
    /// "Open and this worker's" is one comparison so that the try is found by its key (see
    /// <see cref="SqlTryReportStore"/>).</summary>
    public static async Task<IReadOnlyList<ClaimedTry>> GiveBackAsync(
        DbConnection connection, DbTransaction transaction, string workerId, IReadOnlyCollection<ClaimedTry> tries, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var given = new List<ClaimedTry>();
        foreach (var one in tries)
        {
            var key = new { runId = one.RunId.Value, taskId = one.TaskId.Value, tryNumber = (long)one.TryNumber, workerId, at = Ms.Of(at) };
            // Queued again as of when it was queued before the claim (its state history says when): it keeps its
            // place in line instead of going behind everything queued meanwhile. Without that history, its claim's time.
            var requeued = await connection.ExecuteAsync(SqlSession.Command("""
                UPDATE task_instances
                   SET state = 'queued', try_number = try_number - 1,
                       state_reason = 'given back by ' || @workerId || ' before it started',
                       updated_at = COALESCE(
                           (SELECT MAX(h.at) FROM task_state_changes h
                             WHERE h.run_id = @runId AND h.task_id = @taskId AND h.to_state = 'queued'),
                           (SELECT tt.started_at FROM task_tries tt
                             WHERE tt.run_id = @runId AND tt.task_id = @taskId AND tt.try_number = @tryNumber),
                           @at),
                       started_at = CASE WHEN try_number = 1 THEN NULL ELSE started_at END
                 WHERE run_id = @runId AND task_id = @taskId AND state = 'running' AND try_number = @tryNumber
                   AND EXISTS (SELECT 1 FROM task_tries tt
                                WHERE tt.run_id = @runId AND tt.task_id = @taskId AND tt.try_number = @tryNumber
                                  AND CASE WHEN tt.ended_at IS NULL THEN tt.worker_id END = @workerId)
                """, key, transaction, cancellationToken));
            if (requeued == 0)
            {
                continue;
            }

            var deleted = await connection.ExecuteAsync(SqlSession.Command("""
                DELETE FROM task_tries
                 WHERE run_id = @runId AND task_id = @taskId AND try_number = @tryNumber
                   AND CASE WHEN ended_at IS NULL THEN worker_id END = @workerId
                """, key, transaction, cancellationToken));
            if (deleted != 1)
            {
                throw new InvalidOperationException($"try {one.TryNumber} of {one.TaskId} in {one.RunId} changed while it was given back");
            }

            given.Add(one);
        }

        return given;
    }

    private sealed class Candidate
    {
        public string RunId { get; set; } = "";

        public string TaskId { get; set; } = "";

        public long TryNumber { get; set; }

        public long MaxTries { get; set; }
    }

    private sealed class Key
    {
        public string RunId { get; set; } = "";

        public string TaskId { get; set; } = "";
    }
}
