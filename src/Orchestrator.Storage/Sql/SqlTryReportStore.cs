using Dapper;
using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlTryReportStore(SqlSession session) : ITryReportStore
{
    private const string Columns = "run_id, task_id, try_number, worker_id, outcome, error, configuration_error, started_at, ended_at, output, reported_at";

    public Task<bool> ReportAsync(TryReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        // Fenced by the try: it must still be open and this worker's. The driver checks again when it records it.
        return session.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(SqlSession.Command($"""
            INSERT INTO try_reports ({Columns})
            SELECT @runId, @taskId, @tryNumber, @workerId, @outcome, @error, @configurationError, @startedAt, @endedAt, @output, @reportedAt
             WHERE EXISTS (SELECT 1 FROM task_tries
                            WHERE run_id = @runId AND task_id = @taskId AND try_number = @tryNumber
                              AND worker_id = @workerId AND ended_at IS NULL)
            ON CONFLICT (run_id, task_id, try_number) DO NOTHING
            """, new
        {
            runId = report.RunId.Value,
            taskId = report.TaskId.Value,
            tryNumber = (long)report.TryNumber,
            workerId = report.WorkerId,
            outcome = report.Outcome,
            error = report.Error,
            configurationError = report.ConfigurationError ? 1L : 0L,
            startedAt = Ms.Of(report.StartedAt),
            endedAt = Ms.Of(report.EndedAt),
            output = report.Output,
            reportedAt = Ms.Of(report.ReportedAt),
        }, transaction, cancellationToken)) == 1, cancellationToken);
    }

    public Task<IReadOnlyList<TryReport>> ListAsync(IReadOnlyCollection<RunId>? runIds, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        if (runIds is { Count: 0 })
        {
            return Task.FromResult<IReadOnlyList<TryReport>>([]);
        }

        var (list, parameters) = SqlInList.Of(runIds?.Select(id => id.Value) ?? []);
        parameters.Add("limit", (long)limit);
        var where = runIds is null ? "" : $"WHERE run_id IN ({list})";
        return session.ReadAsync<IReadOnlyList<TryReport>>(async connection => [.. (await connection.QueryAsync<ReportRow>(SqlSession.Command(
            $"SELECT {Columns} FROM try_reports {where} ORDER BY reported_at, run_id, task_id LIMIT @limit", parameters, null, cancellationToken)))
            .Select(row => row.ToRecord())], cancellationToken);
    }

    public async Task<int> DeleteStaleAsync(CancellationToken cancellationToken)
    {
        var deleted = 0;
        await session.WriteAsync(async (connection, transaction) => deleted = await connection.ExecuteAsync(SqlSession.Command("""
            DELETE FROM try_reports
             WHERE EXISTS (SELECT 1 FROM task_tries t
                            WHERE t.run_id = try_reports.run_id AND t.task_id = try_reports.task_id
                              AND t.try_number = try_reports.try_number AND t.ended_at IS NOT NULL)
            """, null, transaction, cancellationToken)), cancellationToken);
        return deleted;
    }

    /// <summary>In a batch's transaction: the reports it recorded go.</summary>
    internal static async Task DeleteAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, (RunId RunId, TaskId TaskId, int TryNumber) report, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(SqlSession.Command(
            "DELETE FROM try_reports WHERE run_id = @runId AND task_id = @taskId AND try_number = @tryNumber",
            new { runId = report.RunId.Value, taskId = report.TaskId.Value, tryNumber = (long)report.TryNumber }, transaction, cancellationToken));

    private sealed class ReportRow
    {
        public string RunId { get; set; } = "";

        public string TaskId { get; set; } = "";

        public long TryNumber { get; set; }

        public string WorkerId { get; set; } = "";

        public string Outcome { get; set; } = "";

        public string? Error { get; set; }

        public long ConfigurationError { get; set; }

        public long StartedAt { get; set; }

        public long EndedAt { get; set; }

        public string? Output { get; set; }

        public long ReportedAt { get; set; }

        public TryReport ToRecord() => new(new RunId(RunId), new TaskId(TaskId), (int)TryNumber, WorkerId, Outcome, Error, ConfigurationError != 0,
            Ms.At(StartedAt), Ms.At(EndedAt), Output, Ms.At(ReportedAt));
    }
}
