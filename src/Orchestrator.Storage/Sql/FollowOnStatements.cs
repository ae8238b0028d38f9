using System.Data.Common;
using Dapper;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>A finishing worker starting a ready downstream task itself, inside its report's transaction
/// (<see cref="ITryReportStore.ReportAsync(TryReport, FollowOn?, CancellationToken)"/>). The task must still be
/// undecided (<c>none</c>), every other upstream task recorded a success, and the run running: then the reporting try's
/// success makes it ready under all_success, exactly as the driver would decide. The update is a compare-and-set on
/// <c>none</c>, so of two workers (or a worker and the driver) only one starts it. A queued task of the worker's
/// queues with a higher priority weight goes first: the worker then takes nothing here and claims as usual.</summary>
internal static class FollowOnStatements
{
    public static async Task<ClaimedTry?> StartAsync(
        DbConnection connection, DbTransaction transaction, TryReport report, FollowCandidate candidate, FollowOn follow, CancellationToken cancellationToken)
    {
        var (others, parameters) = SqlRunKeys.Of(report.RunId.Value, candidate.OtherUpstreams.Select(t => t.Value), "u");
        var queues = string.Join(", ", follow.Queues.Select((_, i) => $"@q{i}"));
        for (var i = 0; i < follow.Queues.Count; i++)
        {
            parameters.Add($"q{i}", follow.Queues[i]);
        }

        var upstreamsDone = candidate.OtherUpstreams.Count == 0 ? "" : $"""
               AND (SELECT COUNT(*) FROM (VALUES {others}) AS k
                      JOIN task_instances u ON u.run_id = k.column1 AND u.task_id = k.column2
                     WHERE u.state = 'success') = @upstreams
            """;
        parameters.AddDynamicParams(new
        {
            runId = report.RunId.Value,
            taskId = candidate.TaskId.Value,
            upstreams = (long)candidate.OtherUpstreams.Distinct().Count(),
            workerId = report.WorkerId,
            after = report.TaskId.Value,
            at = Ms.Of(report.ReportedAt),
            leaseUntil = Ms.Of(follow.LeaseUntil),
        });
        // The weight to beat is read once (a scalar subquery), not compared row by row: so it bounds the scan of the
        // queued-only index, which otherwise visits every entry of the queues, the dead ones a burst left included
        // (0.4 ms a hop after a 10,000-task run, where the whole statement takes 0.05 ms).
        var started = (await connection.QueryAsync<(long TryNumber, long MaxTries)>(SqlSession.Command($"""
            UPDATE task_instances
               SET state = 'running', try_number = try_number + 1,
                   state_reason = 'try ' || CAST(try_number + 1 AS TEXT) || ' started on ' || @workerId || ' right after ' || @after,
                   updated_at = @at, next_try_at = NULL, started_at = COALESCE(started_at, @at)
             WHERE run_id = @runId AND task_id = @taskId AND state = 'none'
               AND EXISTS (SELECT 1 FROM dag_runs r WHERE r.run_id = @runId AND r.state = 'running' AND r.run_type <> 'test'){upstreamsDone}
               AND NOT EXISTS (SELECT 1 FROM task_instances q
                                WHERE q.state = 'queued' AND q.queue IN ({queues})
                                  AND q.priority_weight > (SELECT w.priority_weight FROM task_instances w WHERE w.run_id = @runId AND w.task_id = @taskId))
            RETURNING try_number, max_tries
            """, parameters, transaction, cancellationToken))).ToList();
        if (started.Count == 0)
        {
            return null;
        }

        var (tryNumber, maxTries) = started[0];
        var inserted = await TaskStatements.InsertTryAsync(connection, transaction,
            new TryStart(report.RunId, candidate.TaskId, (int)tryNumber, report.WorkerId, report.ReportedAt, follow.LeaseUntil), cancellationToken);
        if (!inserted)
        {
            throw new InvalidOperationException($"task {candidate.TaskId} of run {report.RunId} already has a try {tryNumber}");
        }

        return new ClaimedTry(report.RunId, candidate.TaskId, (int)tryNumber, (int)maxTries);
    }
}
