using Dapper;
using Orchestrator.Core.States;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlStateCounts(SqlSession session) : IStateCountStore
{
    // One round trip: each row is (kind, state, count); DAG and import-error totals carry no state.
    private const string Query = """
        SELECT 'run' AS kind, state, COUNT(*) AS n FROM dag_runs GROUP BY state
        UNION ALL SELECT 'task', state, COUNT(*) FROM task_instances GROUP BY state
        UNION ALL SELECT 'dags', '', COUNT(*) FROM dags WHERE is_active = 1
        UNION ALL SELECT 'errors', '', COUNT(*) FROM import_errors
        """;

    public Task<StateCounts> CountAsync(CancellationToken cancellationToken) =>
        session.ReadAsync(async connection =>
        {
            var runs = new Dictionary<DagRunState, long>();
            var tasks = new Dictionary<TaskInstanceState, long>();
            long dags = 0, errors = 0;
            foreach (var (kind, state, n) in await connection.QueryAsync<(string, string, long)>(SqlSession.Command(Query, null, null, cancellationToken)))
            {
                switch (kind)
                {
                    case "run" when DagRunStates.TryParse(state, out var run):
                        runs[run] = n;
                        break;
                    case "task" when TaskInstanceStates.TryParse(state, out var task):
                        tasks[task] = n;
                        break;
                    case "dags":
                        dags = n;
                        break;
                    case "errors":
                        errors = n;
                        break;
                    default:
                        break; // a state this build does not know (a newer schema): not counted rather than mislabelled
                }
            }

            return new StateCounts(runs, tasks, dags, errors);
        }, cancellationToken);
}
