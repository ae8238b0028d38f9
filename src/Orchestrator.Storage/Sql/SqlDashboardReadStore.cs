using Dapper;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlDashboardReadStore(SqlSession session) : IDashboardReadStore
{
    private const string RunColumns = "run_id, dag_id, dag_version, logical_date, run_type, state, conf, created_at, started_at, ended_at, event_id";
    private const string RunFilter = "(@dagId IS NULL OR dag_id = @dagId) AND (@state IS NULL OR state = @state)";

    public Task<RunPage> PageRunsAsync(RunPageQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegative(query.Offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        var parameters = new { dagId = query.DagId?.Value, state = query.State?.ToName(), offset = (long)query.Offset, limit = (long)query.Limit };
        return session.ReadAsync(async connection =>
        {
            var total = await connection.ExecuteScalarAsync<long>(SqlSession.Command(
                $"SELECT COUNT(*) FROM dag_runs WHERE {RunFilter}", parameters, null, cancellationToken));
            var rows = await connection.QueryAsync<RunRow>(SqlSession.Command($"""
                SELECT {RunColumns} FROM dag_runs WHERE {RunFilter}
                 ORDER BY logical_date DESC, created_at DESC, run_id LIMIT @limit OFFSET @offset
                """, parameters, null, cancellationToken));
            return new RunPage([.. rows.Select(row => row.ToRecord())], (int)total);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<TaskStateRecord>> TaskStatesAsync(IReadOnlyCollection<RunId> runIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        if (runIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<TaskStateRecord>>([]);
        }

        // One row per run, its tasks' states packed as "task=state,task=state,…" by the database: a grid's 50,000 rows
        // cost far more to step through (and decode string by string) than the query itself. Ids are [A-Za-z0-9_.-], so
        // the separators cannot occur in them; each task id and state is looked up as a span and made once per call.
        return session.ReadAsync<IReadOnlyList<TaskStateRecord>>(async connection =>
        {
            var (list, parameters) = SqlInList.Of(runIds.Select(id => id.Value));
            await using var reader = await connection.ExecuteReaderAsync(SqlSession.Command(
                $"SELECT run_id, string_agg(task_id || '=' || state, ',') FROM task_instances WHERE run_id IN ({list}) GROUP BY run_id",
                parameters, null, cancellationToken));
            var states = new List<TaskStateRecord>();
            var tasks = new Dictionary<string, TaskId>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var runId = new RunId(reader.GetString(0));
                var packed = reader.GetString(1).AsSpan();
                foreach (var range in packed.Split(','))
                {
                    var pair = packed[range];
                    var equals = pair.IndexOf('=');
                    var task = pair[..equals];
                    if (!tasks.TryGetValue(task, out var taskId))
                    {
                        var id = task.ToString();
                        tasks[id] = taskId = new TaskId(id);
                    }

                    states.Add(new TaskStateRecord(runId, taskId, StateOf(pair[(equals + 1)..])));
                }
            }

            return states;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<DagRunRecord>> RecentRunsAsync(IReadOnlyCollection<DagId> dagIds, int perDag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dagIds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perDag);
        if (dagIds.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<DagRunRecord>>([]);
        }

        var (list, parameters) = SqlInList.Of(dagIds.Select(id => id.Value));
        parameters.Add("perDag", (long)perDag);
        return session.ReadAsync<IReadOnlyList<DagRunRecord>>(async connection => [.. (await connection.QueryAsync<RunRow>(SqlSession.Command($"""
            SELECT {RunColumns} FROM (
                SELECT {RunColumns}, ROW_NUMBER() OVER (PARTITION BY dag_id ORDER BY logical_date DESC, created_at DESC, run_id) AS newest
                  FROM dag_runs WHERE dag_id IN ({list})) ranked
             WHERE newest <= @perDag
             ORDER BY dag_id, logical_date DESC, created_at DESC, run_id
            """, parameters, null, cancellationToken)))
            .Select(row => row.ToRecord())], cancellationToken);
    }

    private static readonly Dictionary<string, TaskInstanceState>.AlternateLookup<ReadOnlySpan<char>> StatesByName =
        Enum.GetValues<TaskInstanceState>().ToDictionary(state => state.ToName(), StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    private static TaskInstanceState StateOf(ReadOnlySpan<char> name) =>
        StatesByName.TryGetValue(name, out var state) ? state : throw new InvalidDataException($"unknown task state '{name}'");
}
