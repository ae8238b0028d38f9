using System.Data.Common;
using Dapper;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>The compare-and-set statements on task instances, each inside the caller's transaction so that the
/// role store and the engine's batch share them. Each returns false when its condition no longer holds. Every
/// state change sets state_reason and updated_at: the database's trigger copies them into task_state_changes.</summary>
internal static class TaskStatements
{
    public static async Task<bool> TransitionAsync(DbConnection connection, DbTransaction transaction, TaskTransition change, CancellationToken cancellationToken) =>
        await MoveAsync(connection, transaction, change, [change.TaskId.Value], cancellationToken) == 1;

    /// <summary><paramref name="change"/>'s compare-and-set applied to each of <paramref name="taskIds"/> (its from,
    /// to, reason, time and retry fields for all of them); returns how many moved.</summary>
    public static Task<int> MoveAsync(DbConnection connection, DbTransaction transaction, TaskTransition change, IReadOnlyCollection<string> taskIds, CancellationToken cancellationToken)
    {
        TaskStateMachine.EnsureCanTransition(change.From, change.To, change.TaskId);
        // The expected state is a column of the keys too: compared with a constant, it would let PostgreSQL pick a
        // partial index on the state, whose statistics lag a burst of thousands queued at once.
        var (keys, parameters) = SqlRunKeys.Of(change.RunId.Value, taskIds, shared: ("from", change.From.ToName()));
        parameters.AddDynamicParams(new
        {
            to = change.To.ToName(), reason = change.Reason, at = Ms.Of(change.At),
            nextTryAt = Ms.Of(change.NextTryAt), finished = change.To.IsFinished() ? 1L : 0L, maxTries = (long?)change.MaxTries,
        });
        return connection.ExecuteAsync(SqlSession.Command($"""
            UPDATE task_instances
               SET state = @to, state_reason = @reason, updated_at = @at, next_try_at = @nextTryAt,
                   max_tries = COALESCE(@maxTries, task_instances.max_tries),
                   started_at = CASE WHEN @to = 'none' THEN NULL ELSE task_instances.started_at END,
                   ended_at = CASE WHEN @finished = 1 THEN @at WHEN @to = 'none' THEN NULL ELSE task_instances.ended_at END
              FROM (VALUES {keys}) AS k
             WHERE task_instances.run_id = k.column1 AND task_instances.task_id = k.column2 AND task_instances.state = k.column3
            """, parameters, transaction, cancellationToken));
    }

    /// <summary>queued → running plus the try row. The instance row is changed (so locked) before the try row is
    /// inserted: the same order as <see cref="QueuedClaims"/>' batch claim, so a per-try claim and a batch claim of the
    /// same instance never wait on each other in a cycle. A false result must undo the transaction (the caller's
    /// write does): the instance may have changed while the try row already existed. "Still queued" is part of the
    /// key comparison: on its own, it let PostgreSQL walk the queued-only index during a burst (1.2 ms a claim).</summary>
    public static async Task<bool> StartTryAsync(DbConnection connection, DbTransaction transaction, TryStart start, CancellationToken cancellationToken)
    {
        var ids = new { runId = start.RunId.Value, taskId = start.TaskId.Value, tryNumber = (long)start.TryNumber };
        var reason = $"try {start.TryNumber} started" + (start.WorkerId is null ? "" : $" on {start.WorkerId}");
        var updated = await connection.ExecuteAsync(SqlSession.Command("""
            UPDATE task_instances
               SET state = 'running', try_number = @tryNumber, state_reason = @reason, updated_at = @at,
                   next_try_at = NULL, started_at = COALESCE(started_at, @at)
             WHERE run_id = @runId AND task_id = @taskId AND CASE WHEN state = 'queued' THEN try_number END < @tryNumber
            """, new { ids.runId, ids.taskId, ids.tryNumber, reason, at = Ms.Of(start.At) }, transaction, cancellationToken));
        if (updated != 1)
        {
            return false;
        }

        return await InsertTryAsync(connection, transaction, start, cancellationToken);
    }

    /// <summary>The try row of a try that starts now: false when it already exists.</summary>
    public static async Task<bool> InsertTryAsync(DbConnection connection, DbTransaction transaction, TryStart start, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(SqlSession.Command("""
            INSERT INTO task_tries (run_id, task_id, try_number, worker_id, started_at, lease_until)
            VALUES (@runId, @taskId, @tryNumber, @workerId, @at, @leaseUntil)
            ON CONFLICT (run_id, task_id, try_number) DO NOTHING
            """, new
        {
            runId = start.RunId.Value, taskId = start.TaskId.Value, tryNumber = (long)start.TryNumber, workerId = start.WorkerId,
            at = Ms.Of(start.At), leaseUntil = Ms.Of(start.LeaseUntil),
        }, transaction, cancellationToken)) == 1;

    public static async Task<bool> FinishTryAsync(DbConnection connection, DbTransaction transaction, TryFinish finish, CancellationToken cancellationToken) =>
        await GroupedFinishes.CloseAsync(connection, transaction, [finish], cancellationToken);

    public static async Task<bool> RecordTryProcessAsync(
        DbConnection connection, DbTransaction transaction, RunId runId, TaskId taskId, int tryNumber, TaskProcess process, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(SqlSession.Command("""
            UPDATE task_tries
               SET host = @host, boot_id = @bootId, pid = @pid, process_start = @start
             WHERE run_id = @runId AND task_id = @taskId AND try_number = @tryNumber AND ended_at IS NULL AND pid IS NULL
            """,
            new
            {
                host = process.Host, bootId = process.BootId, pid = (long)process.ProcessGroupId, start = process.StartTime,
                runId = runId.Value, taskId = taskId.Value, tryNumber = (long)tryNumber,
            },
            transaction, cancellationToken)) == 1;

    public static async Task<bool> RunTransitionAsync(DbConnection connection, DbTransaction transaction, RunTransition change, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(SqlSession.Command("""
            UPDATE dag_runs
               SET state = @to,
                   started_at = CASE WHEN @to = 'running' THEN COALESCE(started_at, @at) ELSE started_at END,
                   ended_at = CASE WHEN @to IN ('success', 'failed') THEN @at WHEN @to = 'queued' THEN NULL ELSE ended_at END
             WHERE run_id = @runId AND state = @from
            """, new { to = change.To.ToName(), from = change.From.ToName(), at = Ms.Of(change.At), runId = change.RunId.Value }, transaction, cancellationToken)) == 1;

    public static Task SetOutputAsync(DbConnection connection, DbTransaction transaction, string runId, string taskId, string json, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(SqlSession.Command("""
            INSERT INTO task_outputs (run_id, task_id, output) VALUES (@runId, @taskId, @json)
            ON CONFLICT (run_id, task_id) DO UPDATE SET output = excluded.output
            """, new { runId, taskId, json }, transaction, cancellationToken));
}
