using System.Data.Common;
using Dapper;
using Orchestrator.Core.Model;
using Orchestrator.Core.Pools;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlRunStore(SqlSession session) : IRunStore
{
    private const string RunColumns = "run_id, dag_id, dag_version, logical_date, run_type, state, conf, created_at, started_at, ended_at, event_id";

    public Task<bool> CreateAsync(DagRunRecord run, IReadOnlyList<TaskInstanceRecord> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        foreach (var task in tasks)
        {
            // Checked before anything is written: a pool the admission could never match or count is refused here.
            if (task.Pool is not null && !PoolNames.IsValid(task.Pool))
            {
                throw new ArgumentException($"task {task.TaskId}: pool '{task.Pool}' is not a valid pool name ({PoolNames.Expected})", nameof(tasks));
            }

            if (task.PoolSlots < 1)
            {
                throw new ArgumentException($"task {task.TaskId}: poolSlots must be at least 1, got {task.PoolSlots}", nameof(tasks));
            }
        }

        return session.WriteAsync(async (connection, transaction) =>
        {
            var inserted = await connection.ExecuteAsync(SqlSession.Command($"""
                INSERT INTO dag_runs ({RunColumns})
                VALUES (@runId, @dagId, @dagVersion, @logicalDate, @runType, @state, @conf, @createdAt, @startedAt, @endedAt, @eventId)
                ON CONFLICT DO NOTHING
                """,
                new
                {
                    runId = run.RunId.Value, dagId = run.DagId.Value, dagVersion = run.DagVersion, logicalDate = Ms.Of(run.LogicalDate),
                    runType = run.RunType.ToString().ToLowerInvariant(), state = run.State.ToName(), conf = run.Conf,
                    createdAt = Ms.Of(run.CreatedAt), startedAt = Ms.Of(run.StartedAt), endedAt = Ms.Of(run.EndedAt), eventId = run.EventId,
                },
                transaction, cancellationToken));
            if (inserted != 1)
            {
                return false; // same run id, or same DAG and logical date
            }

            await InsertTasksAsync(connection, transaction, tasks, cancellationToken);
            return true;
        }, cancellationToken);
    }

    public Task<DagRunRecord?> GetAsync(RunId runId, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<RunRow>(SqlSession.Command(
            $"SELECT {RunColumns} FROM dag_runs WHERE run_id = @runId", new { runId = runId.Value }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<DagRunRecord>> ListAsync(RunQuery query, CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<DagRunRecord>>(async connection => [.. (await connection.QueryAsync<RunRow>(SqlSession.Command($"""
            SELECT {RunColumns} FROM dag_runs
             WHERE (@dagId IS NULL OR dag_id = @dagId) AND (@state IS NULL OR state = @state) AND (@runType IS NULL OR run_type = @runType)
             ORDER BY {(query.OldestFirst ? "logical_date ASC, created_at ASC" : "logical_date DESC, created_at DESC")}
             LIMIT @limit
            """, new { dagId = query.DagId?.Value, state = query.State?.ToName(), runType = query.Type?.ToString().ToLowerInvariant(), limit = (long)query.Limit }, null, cancellationToken))).Select(row => row.ToRecord())],
            cancellationToken);

    public Task<IReadOnlyList<DagRunRecord>> ListByEventsAsync(IReadOnlyCollection<long> eventIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        return eventIds.Count == 0
            ? Task.FromResult<IReadOnlyList<DagRunRecord>>([])
            : session.ReadAsync<IReadOnlyList<DagRunRecord>>(async connection =>
            {
                var (list, parameters) = SqlInList.Of(eventIds);
                return [.. (await connection.QueryAsync<RunRow>(SqlSession.Command(
                    $"SELECT {RunColumns} FROM dag_runs WHERE event_id IN ({list}) ORDER BY event_id, dag_id", parameters, null, cancellationToken))).Select(row => row.ToRecord())];
            }, cancellationToken);
    }

    public Task<bool> TryTransitionAsync(RunTransition transition, CancellationToken cancellationToken) =>
        session.WriteAsync((connection, transaction) => TaskStatements.RunTransitionAsync(connection, transaction, transition, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<DagId>> DagsWithRunsAsync(DagRunState state, CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<DagId>>(async connection => [.. (await connection.QueryAsync<string>(SqlSession.Command(
            "SELECT DISTINCT dag_id FROM dag_runs WHERE state = @state ORDER BY dag_id", new { state = state.ToName() }, null, cancellationToken)))
            .Select(id => new DagId(id))], cancellationToken);

    public Task<int> CountActiveAsync(DagId dagId, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (int)await connection.ExecuteScalarAsync<long>(SqlSession.Command(
            "SELECT COUNT(*) FROM dag_runs WHERE dag_id = @dagId AND state IN ('queued', 'running')", new { dagId = dagId.Value }, null, cancellationToken)),
            cancellationToken);

    // A run of thousands of tasks is created in a few statements, not one per task (14 parameters a row).
    private const int TasksPerInsert = 200;

    private static async Task InsertTasksAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<TaskInstanceRecord> tasks, CancellationToken cancellationToken)
    {
        foreach (var chunk in tasks.Chunk(TasksPerInsert))
        {
            var (rows, parameters) = SqlValueRows.Of(chunk,
                ("r", t => t.RunId.Value, null), ("t", t => t.TaskId.Value, null), ("s", t => t.State.ToName(), null), ("n", t => (long)t.TryNumber, null),
                ("m", t => (long)t.MaxTries, null), ("q", t => t.Queue, null), ("u", t => Ms.Of(t.UpdatedAt), null),
                ("w", t => t.StateReason, System.Data.DbType.String), ("x", t => Ms.Of(t.NextTryAt), System.Data.DbType.Int64),
                ("b", t => Ms.Of(t.StartedAt), System.Data.DbType.Int64), ("e", t => Ms.Of(t.EndedAt), System.Data.DbType.Int64),
                ("p", t => t.Pool, System.Data.DbType.String), ("ps", t => (long)t.PoolSlots, null), ("pw", t => (long)t.PriorityWeight, null));
            await connection.ExecuteAsync(SqlSession.Command(
                $"INSERT INTO task_instances ({TaskInstanceRow.Columns}) VALUES {rows}", parameters, transaction, cancellationToken));
        }
    }
}
