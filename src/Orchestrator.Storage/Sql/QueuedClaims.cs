using System.Data.Common;
using Dapper;
using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>A worker's batch claim (<see cref="ITaskInstanceStore.ClaimQueuedAsync"/>): the queued instances are
/// locked first (skipping rows another transaction holds), then each gets its try row and becomes running, as
/// <see cref="TaskStatements.StartTryAsync"/> does it, all in the caller's one transaction.</summary>
internal static class QueuedClaims
{
    public static async Task<IReadOnlyList<ClaimedTry>> ClaimAsync(
        DbConnection connection, DbTransaction transaction, SqlDatabase database, QueuedClaim claim, CancellationToken cancellationToken)
    {
        var (queues, parameters) = SqlInList.Of(claim.Queues);
        parameters.Add("limit", (long)claim.Limit);
        // EXISTS, not a join: FOR UPDATE must lock the instances only, never the run rows the schedulers write.
        var candidates = (await connection.QueryAsync<Candidate>(SqlSession.Command($"""
            SELECT ti.run_id, ti.task_id, ti.try_number FROM task_instances ti
             WHERE ti.state = 'queued' AND ti.queue IN ({queues})
               AND EXISTS (SELECT 1 FROM dag_runs r WHERE r.run_id = ti.run_id AND r.state = 'running' AND r.run_type <> 'test')
             ORDER BY ti.priority_weight DESC, ti.updated_at, ti.run_id, ti.task_id
             LIMIT @limit{database.ForUpdateSkipLocked}
            """, parameters, transaction, cancellationToken))).ToList();

        var claimed = new List<ClaimedTry>(candidates.Count);
        foreach (var candidate in candidates)
        {
            var tryNumber = candidate.TryNumber + 1;
            var ids = new { runId = candidate.RunId, taskId = candidate.TaskId, tryNumber };
            // A try row that already exists (never expected for a queued instance) leaves the instance as it is.
            if (await connection.ExecuteAsync(SqlSession.Command("""
                    INSERT INTO task_tries (run_id, task_id, try_number, worker_id, started_at, lease_until)
                    VALUES (@runId, @taskId, @tryNumber, @workerId, @at, @leaseUntil)
                    ON CONFLICT (run_id, task_id, try_number) DO NOTHING
                    """, new { ids.runId, ids.taskId, ids.tryNumber, workerId = claim.WorkerId, at = Ms.Of(claim.At), leaseUntil = Ms.Of(claim.LeaseUntil) },
                    transaction, cancellationToken)) != 1)
            {
                continue;
            }

            // The row is locked and was read queued in this transaction: the compare-and-set holds.
            var updated = await connection.ExecuteAsync(SqlSession.Command("""
                UPDATE task_instances
                   SET state = 'running', try_number = @tryNumber, state_reason = @reason, updated_at = @at,
                       next_try_at = NULL, started_at = COALESCE(started_at, @at)
                 WHERE run_id = @runId AND task_id = @taskId AND state = 'queued' AND try_number < @tryNumber
                """, new { ids.runId, ids.taskId, ids.tryNumber, reason = $"try {tryNumber} started on {claim.WorkerId}", at = Ms.Of(claim.At) },
                transaction, cancellationToken));
            if (updated != 1)
            {
                throw new InvalidOperationException($"task {candidate.TaskId} of run {candidate.RunId} changed while locked for a claim");
            }

            claimed.Add(new ClaimedTry(new RunId(candidate.RunId), new TaskId(candidate.TaskId), (int)tryNumber));
        }

        return claimed;
    }

    private sealed class Candidate
    {
        public string RunId { get; set; } = "";

        public string TaskId { get; set; } = "";

        public long TryNumber { get; set; }
    }
}
