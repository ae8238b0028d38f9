using Dapper;
using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlTryReportStore(SqlSession session) : ITryReportStore
{
    private const string Columns = "run_id, task_id, try_number, worker_id, outcome, error, configuration_error, started_at, ended_at, output, reported_at";

    public async Task<bool> ReportAsync(TryReport report, CancellationToken cancellationToken) =>
        (await ReportAsync(report, null, cancellationToken)).Accepted;

    public async Task<ReportResult> ReportAsync(TryReport report, FollowOn? follow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        ClaimedTry? followed = null;
        var accepted = await session.WriteAsync(async (connection, transaction) =>
        {
            followed = null;
            if (follow is not null && report.Outcome == "success")
            {
                foreach (var candidate in follow.Candidates)
                {
                    if ((followed = await FollowOnStatements.StartAsync(connection, transaction, report, candidate, follow, cancellationToken)) is not null)
                    {
                        break;
                    }
                }
            }

            return await InsertAsync(connection, transaction, report, followed, cancellationToken);
        }, cancellationToken);
        return accepted ? new ReportResult(true, followed) : new ReportResult(false);
    }

    /// <summary>In the caller's transaction: the report, unless its try is no longer open and this worker's (false).</summary>
    internal static async Task<bool> InsertAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, TryReport report, ClaimedTry? followed, CancellationToken cancellationToken)
    {
        // Fenced by the try: it must still be open and this worker's (else the caller's write, a follow-on start
        // included, is undone). The driver checks again when it records it. "Open and this worker's" is one comparison, so
        // that PostgreSQL looks the try up by its key: given "ended_at IS NULL" it could walk the worker's open
        // tries instead, an index full of tries closed since (0.1–0.5 ms per report under load).
        return await connection.ExecuteAsync(SqlSession.Command($"""
            INSERT INTO try_reports ({Columns}, followed_task, followed_try)
            SELECT @runId, @taskId, @tryNumber, @workerId, @outcome, @error, @configurationError, @startedAt, @endedAt, @output, @reportedAt,
                   @followedTask, @followedTry
             WHERE EXISTS (SELECT 1 FROM task_tries
                            WHERE run_id = @runId AND task_id = @taskId AND try_number = @tryNumber
                              AND CASE WHEN ended_at IS NULL THEN worker_id END = @workerId)
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
            followedTask = followed?.TaskId.Value,
            followedTry = (long?)followed?.TryNumber,
        }, transaction, cancellationToken)) == 1;
    }

    public Task<IReadOnlyDictionary<TaskId, string>> OutputsAsync(RunId runId, CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyDictionary<TaskId, string>>(async connection =>
        {
            var outputs = new Dictionary<TaskId, string>();
            // A recorded output and a report of the same task cannot both exist: recording deletes the report.
            foreach (var row in await connection.QueryAsync<(string TaskId, string Output)>(SqlSession.Command("""
                SELECT task_id, output FROM task_outputs WHERE run_id = @runId
                UNION ALL
                SELECT task_id, output FROM try_reports WHERE run_id = @runId AND outcome = 'success' AND output IS NOT NULL
                """, new { runId = runId.Value }, null, cancellationToken)))
            {
                outputs[new TaskId(row.TaskId)] = row.Output;
            }

            return outputs;
        }, cancellationToken);

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
            $"SELECT {Columns}, followed_task, followed_try FROM try_reports {where} ORDER BY reported_at, run_id, task_id LIMIT @limit", parameters, null, cancellationToken)))
            .Select(row => row.ToRecord())], cancellationToken);
    }

    public async Task<int> DeleteStaleAsync(CancellationToken cancellationToken)
    {
        var deleted = 0;
        // A scalar subquery, not EXISTS: PostgreSQL turned EXISTS into a hash join that read all of task_tries (0.3 s
        // with 300,000 tries) whenever it overestimated the reports; this looks up each report's try by its key.
        await session.WriteAsync(async (connection, transaction) => deleted = await connection.ExecuteAsync(SqlSession.Command("""
            DELETE FROM try_reports
             WHERE (SELECT t.ended_at FROM task_tries t
                     WHERE t.run_id = try_reports.run_id AND t.task_id = try_reports.task_id
                       AND t.try_number = try_reports.try_number) IS NOT NULL
            """, null, transaction, cancellationToken)), cancellationToken);
        return deleted;
    }

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

        public string? FollowedTask { get; set; }

        public long? FollowedTry { get; set; }

        public TryReport ToRecord() => new(new RunId(RunId), new TaskId(TaskId), (int)TryNumber, WorkerId, Outcome, Error, ConfigurationError != 0,
            Ms.At(StartedAt), Ms.At(EndedAt), Output, Ms.At(ReportedAt))
        {
            FollowedTask = FollowedTask is null ? null : new TaskId(FollowedTask),
            FollowedTry = (int?)FollowedTry,
        };
    }
}
