using System.Data.Common;
using Dapper;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>Many task transitions of one batch in few statements: a run's start plan or a fan-out moves thousands of
/// tasks none → scheduled → queued with the same reason, and one compare-and-set UPDATE per 500 of them does what one
/// per task did. Each task's own transitions keep their order (the k-th of every task goes in pass k); within a pass,
/// those alike (run, from, to, reason, time, retry fields) share a statement, and each statement must move every task
/// it names.</summary>
internal static class GroupedTransitions
{
    private const int MaxPerStatement = 500;

    /// <summary>Applies every transition, or returns the first one that could not be applied (the caller undoes the
    /// transaction).</summary>
    public static async Task<TaskTransition?> ApplyAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<TaskTransition> transitions, CancellationToken cancellationToken)
    {
        foreach (var pass in Passes(transitions))
        {
            foreach (var alike in pass.GroupBy(t => (t.RunId, t.From, t.To, t.Reason, t.At, t.NextTryAt, t.MaxTries)))
            {
                foreach (var chunk in alike.Chunk(MaxPerStatement))
                {
                    if (await MoveAsync(connection, transaction, chunk, cancellationToken) is { } failed)
                    {
                        return failed;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>Pass k holds each task's k-th transition, in the order given.</summary>
    private static List<List<TaskTransition>> Passes(IReadOnlyList<TaskTransition> transitions)
    {
        var passes = new List<List<TaskTransition>>();
        var seen = new Dictionary<(string, string), int>();
        foreach (var transition in transitions)
        {
            var key = (transition.RunId.Value, transition.TaskId.Value);
            var k = seen.GetValueOrDefault(key);
            seen[key] = k + 1;
            if (passes.Count == k)
            {
                passes.Add([]);
            }

            passes[k].Add(transition);
        }

        return passes;
    }

    private static async Task<TaskTransition?> MoveAsync(DbConnection connection, DbTransaction transaction, TaskTransition[] alike, CancellationToken cancellationToken)
    {
        var first = alike[0];
        var updated = await TaskStatements.MoveAsync(connection, transaction, first, [.. alike.Select(t => t.TaskId.Value)], cancellationToken);
        if (updated == alike.Length)
        {
            return null;
        }

        // Name one that did not move (the transaction is undone anyway).
        var (keys, names) = SqlRunKeys.Of(first.RunId.Value, alike.Select(t => t.TaskId.Value));
        names.Add("to", first.To.ToName());
        var stuck = await connection.QueryFirstOrDefaultAsync<string>(SqlSession.Command($"""
            SELECT ti.task_id FROM (VALUES {keys}) AS k
              JOIN task_instances ti ON ti.run_id = k.column1 AND ti.task_id = k.column2
             WHERE ti.state <> @to ORDER BY ti.task_id
            """, names, transaction, cancellationToken));
        return alike.FirstOrDefault(t => t.TaskId.Value == stuck) ?? first;
    }
}
