using Dapper;
using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlTaskLogStore(SqlSession session) : ITaskLogStore
{
    public Task AppendAsync(RunId runId, TaskId taskId, int tryNumber, IReadOnlyList<StoredLogLine> lines, CancellationToken cancellationToken) =>
        session.WriteAsync(async (connection, transaction) =>
        {
            foreach (var line in lines)
            {
                await connection.ExecuteAsync(SqlSession.Command("""
                    INSERT INTO task_logs (run_id, task_id, try_number, at, level, message) VALUES (@runId, @taskId, @tryNumber, @at, @level, @message)
                    """, new { runId = runId.Value, taskId = taskId.Value, tryNumber = (long)tryNumber, at = Ms.Of(line.At), level = line.Level, message = line.Message },
                    transaction, cancellationToken));
            }
        }, cancellationToken);

    public Task<IReadOnlyList<StoredLogLine>> ReadAsync(RunId runId, TaskId taskId, int tryNumber, CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<StoredLogLine>>(async connection => [.. (await connection.QueryAsync<LogRow>(SqlSession.Command("""
            SELECT at, level, message FROM task_logs WHERE run_id = @runId AND task_id = @taskId AND try_number = @tryNumber ORDER BY id
            """, new { runId = runId.Value, taskId = taskId.Value, tryNumber = (long)tryNumber }, null, cancellationToken)))
            .Select(row => new StoredLogLine(Ms.At(row.At), row.Level, row.Message))], cancellationToken);

    // One writer appends a try's lines, each batch committed before the next, so ids within a try grow in commit order
    // and a reader following by the last id it saw misses none.
    public Task<IReadOnlyList<NumberedLogLine>> ReadAfterAsync(RunId runId, TaskId taskId, int tryNumber, long afterId, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return session.ReadAsync<IReadOnlyList<NumberedLogLine>>(async connection => [.. (await connection.QueryAsync<NumberedLogRow>(SqlSession.Command("""
            SELECT id, at, level, message FROM task_logs
            WHERE run_id = @runId AND task_id = @taskId AND try_number = @tryNumber AND id > @afterId ORDER BY id LIMIT @limit
            """, new { runId = runId.Value, taskId = taskId.Value, tryNumber = (long)tryNumber, afterId, limit = (long)limit }, null, cancellationToken)))
            .Select(row => new NumberedLogLine(row.Id, new StoredLogLine(Ms.At(row.At), row.Level, row.Message)))], cancellationToken);
    }

    private sealed class NumberedLogRow
    {
        public long Id { get; set; }

        public long At { get; set; }

        public string Level { get; set; } = "";

        public string Message { get; set; } = "";
    }
}

internal sealed class SqlTaskOutputStore(SqlSession session) : ITaskOutputStore
{
    public Task SetAsync(RunId runId, TaskId taskId, string json, CancellationToken cancellationToken) =>
        session.WriteAsync((connection, transaction) => TaskStatements.SetOutputAsync(connection, transaction, runId.Value, taskId.Value, json, cancellationToken), cancellationToken);

    public Task<IReadOnlyDictionary<TaskId, string>> GetAllAsync(RunId runId, CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyDictionary<TaskId, string>>(async connection => (await connection.QueryAsync<OutputRow>(SqlSession.Command(
            "SELECT task_id, output FROM task_outputs WHERE run_id = @runId", new { runId = runId.Value }, null, cancellationToken)))
            .ToDictionary(row => new TaskId(row.TaskId), row => row.Output), cancellationToken);
}
