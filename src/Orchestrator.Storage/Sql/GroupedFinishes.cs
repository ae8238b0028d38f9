using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using Orchestrator.Core.States;
using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>Many finished tries of one group commit in few statements: the tries close and their task instances move
/// on, each step as one UPDATE joined to a VALUES list of up to 200 tries, and their workers' reports go, in one
/// round trip of keyed DELETEs. Each UPDATE is a compare-and-set that must hit every try it
/// names (the try still open; the instance still running that try).</summary>
internal static class GroupedFinishes
{
    private const int MaxPerStatement = 200;

    /// <summary>Closes every try, or returns the first that could not be closed (the caller undoes the transaction).</summary>
    public static async Task<TryFinish?> ApplyAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<TryFinish> finishes, CancellationToken cancellationToken)
    {
        foreach (var chunk in finishes.Chunk(MaxPerStatement))
        {
            if (!await CloseAsync(connection, transaction, chunk, cancellationToken))
            {
                return await FirstNotRunningAsync(connection, transaction, chunk, cancellationToken);
            }
        }

        return null;
    }

    /// <summary>Closes the tries and moves their instances on (at most <see cref="MaxPerStatement"/>): false unless
    /// every one was the open try of a running instance.</summary>
    public static async Task<bool> CloseAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<TryFinish> chunk, CancellationToken cancellationToken)
    {
        foreach (var finish in chunk)
        {
            TaskStateMachine.EnsureCanTransition(TaskInstanceState.Running, finish.NextState, finish.TaskId);
        }

        var (rows, parameters) = SqlValueRows.Of(chunk,
            ("r", f => f.RunId.Value, null), ("t", f => f.TaskId.Value, null), ("n", f => (long)f.TryNumber, null), ("a", f => Ms.Of(f.At), null),
            ("o", f => f.Outcome, null), ("e", f => f.Error, DbType.String), ("s", f => f.NextState.ToName(), null), ("w", f => f.Reason, DbType.String),
            ("x", f => Ms.Of(f.NextTryAt), DbType.Int64), ("m", f => (long?)f.MaxTries, DbType.Int64), ("f", f => f.NextState.IsFinished() ? 1L : 0L, null));
        // VALUES columns are column1.. on both PostgreSQL and SQLite: run, task, try, at, outcome, error, next state,
        // reason, next try at, max tries, finished. The instance's "running that try" check is one comparison with the
        // key's try, not "state = 'running'" on its own: analysed at rest, PostgreSQL takes running instances for one
        // row and would scan them all once per key (3.6 s for 500 keys and 5,000 running); this way it cannot filter
        // on the state before joining, and looks each key up by the primary key.
        var closed = await connection.ExecuteAsync(SqlSession.Command($"""
            UPDATE task_tries
               SET ended_at = v.column4, outcome = v.column5, error = v.column6, duration_ms = v.column4 - task_tries.started_at
              FROM (VALUES {rows}) AS v
             WHERE task_tries.run_id = v.column1 AND task_tries.task_id = v.column2 AND task_tries.try_number = v.column3
               AND task_tries.ended_at IS NULL
            """, parameters, transaction, cancellationToken));
        return closed == chunk.Count && await connection.ExecuteAsync(SqlSession.Command($"""
            UPDATE task_instances
               SET state = v.column7, state_reason = v.column8, updated_at = v.column4, next_try_at = v.column9,
                   max_tries = COALESCE(v.column10, task_instances.max_tries),
                   ended_at = CASE WHEN v.column11 = 1 THEN v.column4 ELSE task_instances.ended_at END
              FROM (VALUES {rows}) AS v
             WHERE task_instances.run_id = v.column1 AND task_instances.task_id = v.column2
               AND CASE WHEN task_instances.state = 'running' THEN task_instances.try_number END = v.column3
            """, parameters, transaction, cancellationToken)) == chunk.Count;
    }

    /// <summary>Deletes the reports these group-committed tries came from.</summary>
    public static async Task DeleteReportsAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<(RunId RunId, TaskId TaskId, int TryNumber)> reports, CancellationToken cancellationToken)
    {
        foreach (var chunk in reports.Chunk(MaxPerStatement))
        {
            // One DELETE per report, all sent at once: the whole primary key, equal to values, is the one plan
            // statistics cannot spoil. try_reports is a queue, analysed mostly while empty; joined with the keys,
            // PostgreSQL compared every report with every key (0.4 s for 200 keys and 2,700 reports), and given the run
            // and a task list, it walked every report of the run, dead ones included (40 ms for 200 keys).
            var parameters = new SqlParameters();
            var statements = new StringBuilder();
            for (var i = 0; i < chunk.Length; i++)
            {
                parameters.Add($"r{i}", chunk[i].RunId.Value);
                parameters.Add($"t{i}", chunk[i].TaskId.Value);
                parameters.Add($"n{i}", (long)chunk[i].TryNumber);
                statements.Append(CultureInfo.InvariantCulture, $"DELETE FROM try_reports WHERE run_id = @r{i} AND task_id = @t{i} AND try_number = @n{i};\n");
            }

            await connection.ExecuteAsync(SqlSession.Command(statements.ToString(), parameters, transaction, cancellationToken));
        }
    }

    /// <summary>Which try of a refused chunk was not where the batch expected it (rare: the transaction is undone
    /// anyway; this only names it): the first whose try row or instance does not show what this batch wrote.</summary>
    private static async Task<TryFinish> FirstNotRunningAsync(DbConnection connection, DbTransaction transaction, TryFinish[] chunk, CancellationToken cancellationToken)
    {
        foreach (var finish in chunk)
        {
            var ids = new { runId = finish.RunId.Value, taskId = finish.TaskId.Value, tryNumber = (long)finish.TryNumber };
            var tryClosedHere = await connection.ExecuteScalarAsync<long>(SqlSession.Command(
                "SELECT COUNT(*) FROM task_tries WHERE run_id = @runId AND task_id = @taskId AND try_number = @tryNumber AND ended_at = @at AND outcome = @outcome",
                new { ids.runId, ids.taskId, ids.tryNumber, at = Ms.Of(finish.At), outcome = finish.Outcome }, transaction, cancellationToken));
            var movedHere = await connection.ExecuteScalarAsync<long>(SqlSession.Command(
                "SELECT COUNT(*) FROM task_instances WHERE run_id = @runId AND task_id = @taskId AND try_number = @tryNumber AND state IN ('running', @next)",
                new { ids.runId, ids.taskId, ids.tryNumber, next = finish.NextState.ToName() }, transaction, cancellationToken));
            if (tryClosedHere == 0 || movedHere == 0)
            {
                return finish;
            }
        }

        return chunk[0];
    }
}
