using Dapper;
using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlTaskInstanceStore(SqlSession session) : ITaskInstanceStore
{
    public Task<IReadOnlyList<TaskInstanceRecord>> ListAsync(RunId runId, CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<TaskInstanceRecord>>(async connection => [.. (await connection.QueryAsync<TaskInstanceRow>(SqlSession.Command($"""
            SELECT {TaskInstanceRow.Columns}
              FROM task_instances WHERE run_id = @runId ORDER BY task_id
            """, new { runId = runId.Value }, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);

    public Task<TaskInstanceRecord?> GetAsync(RunId runId, TaskId taskId, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<TaskInstanceRow>(SqlSession.Command($"""
            SELECT {TaskInstanceRow.Columns}
              FROM task_instances WHERE run_id = @runId AND task_id = @taskId
            """, new { runId = runId.Value, taskId = taskId.Value }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<bool> TryTransitionAsync(TaskTransition transition, CancellationToken cancellationToken) =>
        session.WriteAsync((connection, transaction) => TaskStatements.TransitionAsync(connection, transaction, transition, cancellationToken), cancellationToken);

    public Task<bool> TryStartTryAsync(TryStart start, CancellationToken cancellationToken) =>
        session.WriteAsync((connection, transaction) => TaskStatements.StartTryAsync(connection, transaction, start, cancellationToken), cancellationToken);

    public async Task<IReadOnlyList<ClaimedTry>> ClaimQueuedAsync(QueuedClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(claim.Limit, $"{nameof(claim)}.{nameof(QueuedClaim.Limit)}");
        ArgumentException.ThrowIfNullOrWhiteSpace(claim.WorkerId, $"{nameof(claim)}.{nameof(QueuedClaim.WorkerId)}");
        if (claim.Queues.Count == 0)
        {
            throw new ArgumentException("a claim needs at least one queue", $"{nameof(claim)}.{nameof(QueuedClaim.Queues)}");
        }

        IReadOnlyList<ClaimedTry> claimed = [];
        await session.WriteAsync(async (connection, transaction) =>
        {
            claimed = await QueuedClaims.ClaimAsync(connection, transaction, session.Database, claim, cancellationToken);
            return claimed.Count > 0;
        }, cancellationToken);
        return claimed;
    }

    public async Task<IReadOnlyList<ClaimedTry>> GiveBackAsync(string workerId, IReadOnlyCollection<ClaimedTry> tries, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workerId);
        ArgumentNullException.ThrowIfNull(tries);
        IReadOnlyList<ClaimedTry> given = [];
        if (tries.Count > 0)
        {
            await session.WriteAsync(async (connection, transaction) =>
            {
                given = await QueuedClaims.GiveBackAsync(connection, transaction, workerId, tries, at, cancellationToken);
                return given.Count > 0;
            }, cancellationToken);
        }

        return given;
    }

    public async Task<IReadOnlyList<ClaimedTry>> StillQueuedAsync(IReadOnlyCollection<(RunId RunId, TaskId TaskId, int TryNumber)> tries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tries);
        var still = new List<ClaimedTry>();
        // One read per run (a dispatch batch is mostly one run's), at most 500 tasks per statement.
        foreach (var byRun in tries.GroupBy(t => t.RunId))
        {
            // A try may be named twice (a resumed run dispatches its queued tries again while earlier ones are watched).
            var wanted = byRun.GroupBy(t => t.TaskId.Value, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Select(t => t.TryNumber).ToHashSet(), StringComparer.Ordinal);
            foreach (var chunk in wanted.Keys.Chunk(500))
            {
                var (keys, parameters) = SqlRunKeys.Of(byRun.Key.Value, chunk);
                // The state is checked here, not in SQL: "state = 'queued'" lets PostgreSQL pick the queued-only
                // index, whose statistics lag a burst of thousands queued at once, and scan all of it per call.
                var rows = await session.ReadAsync(async connection => await connection.QueryAsync<(string TaskId, string State, long TryNumber, long MaxTries)>(SqlSession.Command($"""
                    SELECT ti.task_id, ti.state, ti.try_number, ti.max_tries FROM (VALUES {keys}) AS k
                      JOIN task_instances ti ON ti.run_id = k.column1 AND ti.task_id = k.column2
                    """, parameters, null, cancellationToken)), cancellationToken);
                still.AddRange(rows.Where(q => q.State == "queued" && wanted[q.TaskId].Contains((int)q.TryNumber + 1))
                    .Select(q => new ClaimedTry(byRun.Key, new TaskId(q.TaskId), (int)q.TryNumber + 1, (int)q.MaxTries)));
            }
        }

        return still;
    }

    public Task<bool> TryFinishTryAsync(TryFinish finish, CancellationToken cancellationToken) =>
        session.WriteAsync((connection, transaction) => TaskStatements.FinishTryAsync(connection, transaction, finish, cancellationToken), cancellationToken);

    public Task<bool> RecordTryProcessAsync(RunId runId, TaskId taskId, int tryNumber, TaskProcess process, CancellationToken cancellationToken) =>
        session.WriteAsync((connection, transaction) => TaskStatements.RecordTryProcessAsync(connection, transaction, runId, taskId, tryNumber, process, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<TaskTryRecord>> ListTriesAsync(RunId runId, TaskId? taskId, CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<TaskTryRecord>>(async connection => [.. (await connection.QueryAsync<TryRow>(SqlSession.Command("""
            SELECT run_id, task_id, try_number, worker_id, started_at, ended_at, outcome, error, duration_ms, host, boot_id, pid, process_start, lease_until
              FROM task_tries WHERE run_id = @runId AND (@taskId IS NULL OR task_id = @taskId)
             ORDER BY task_id, try_number
            """, new { runId = runId.Value, taskId = taskId?.Value }, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);

    public Task<IReadOnlyList<TaskStateChange>> HistoryAsync(RunId runId, TaskId? taskId, CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<TaskStateChange>>(async connection => [.. (await connection.QueryAsync<StateChangeRow>(SqlSession.Command("""
            SELECT run_id, task_id, from_state, to_state, reason, at
              FROM task_state_changes WHERE run_id = @runId AND (@taskId IS NULL OR task_id = @taskId)
             ORDER BY id
            """, new { runId = runId.Value, taskId = taskId?.Value }, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);
}
