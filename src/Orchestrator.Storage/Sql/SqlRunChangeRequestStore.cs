using System.Data.Common;
using Dapper;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>Change requests as rows whose status moves only by compare-and-set updates (see the migration's comment).</summary>
internal sealed class SqlRunChangeRequestStore(SqlSession session) : IRunChangeRequestStore
{
    private const string Columns = "id, run_id, task_id, kind, downstream, mark_state, reason, requested_at, status, outcome, decided_by, decided_at";

    public async Task<long> SubmitAsync(RunChangeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.MarkState is { } state && state is not (TaskInstanceState.Success or TaskInstanceState.Failed))
        {
            throw new ArgumentException($"a task can be marked success or failed, not {state.ToName()}", nameof(request));
        }

        long id = 0;
        await session.WriteAsync(async (connection, transaction) => id = await connection.QuerySingleAsync<long>(SqlSession.Command("""
            INSERT INTO run_change_requests (run_id, task_id, kind, downstream, mark_state, reason, requested_at, status)
            VALUES (@runId, @taskId, @kind, @downstream, @markState, @reason, @requestedAt, 'pending')
            RETURNING id
            """,
            new
            {
                runId = request.RunId.Value, taskId = request.TaskId.Value, kind = request.IsMark ? "mark" : "clear", downstream = request.Downstream ? 1L : 0L,
                markState = request.MarkState?.ToName(), reason = request.Reason, requestedAt = Ms.Of(request.RequestedAt),
            }, transaction, cancellationToken)), cancellationToken);
        return id;
    }

    public Task<RunChangeRequest?> GetAsync(long id, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<Row>(SqlSession.Command(
            $"SELECT {Columns} FROM run_change_requests WHERE id = @id", new { id }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<RunChangeRequest>> OpenAsync(CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<RunChangeRequest>>(async connection => [.. (await connection.QueryAsync<Row>(SqlSession.Command(
            $"SELECT {Columns} FROM run_change_requests WHERE status IN ('pending', 'taken') ORDER BY id", null, null, cancellationToken))).Select(r => r.ToRecord())],
            cancellationToken);

    public Task<bool> TakeAsync(long id, string driver, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(driver);
        return UpdateAsync(
            "UPDATE run_change_requests SET status = 'taken', decided_by = @driver, decided_at = @at WHERE id = @id AND status IN ('pending', 'taken')",
            new { id, driver, at = Ms.Of(at) }, cancellationToken);
    }

    public Task<bool> DecideAsync(long id, RunChangeStatus status, string outcome, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (status is not (RunChangeStatus.Applied or RunChangeStatus.Refused))
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "a request is decided applied or refused");
        }

        return UpdateAsync(
            "UPDATE run_change_requests SET status = @status, outcome = @outcome, decided_at = @at WHERE id = @id AND status = 'taken'",
            new { id, status = Name(status), outcome, at = Ms.Of(at) }, cancellationToken);
    }

    public Task<bool> WithdrawAsync(long id, DateTimeOffset at, CancellationToken cancellationToken) => UpdateAsync(
        "UPDATE run_change_requests SET status = 'withdrawn', decided_at = @at WHERE id = @id AND status = 'pending'",
        new { id, at = Ms.Of(at) }, cancellationToken);

    public async Task<int> PurgeDecidedAsync(DateTimeOffset decidedBefore, CancellationToken cancellationToken)
    {
        var purged = 0;
        await session.WriteAsync(async (connection, transaction) => purged = await connection.ExecuteAsync(SqlSession.Command(
            "DELETE FROM run_change_requests WHERE status IN ('applied', 'refused', 'withdrawn') AND decided_at < @before",
            new { before = Ms.Of(decidedBefore) }, transaction, cancellationToken)), cancellationToken);
        return purged;
    }

    /// <summary>taken by the decision's driver → applied, inside the transaction of the change it made
    /// (<see cref="StateChangeBatch.DecidesRequest"/>). False when the driver no longer holds it taken: the change must not commit.</summary>
    internal static async Task<bool> DecideAppliedAsync(DbConnection connection, DbTransaction transaction, RunChangeDecision decision, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(SqlSession.Command("""
            UPDATE run_change_requests SET status = 'applied', outcome = @outcome, decided_at = @at
             WHERE id = @id AND status = 'taken' AND decided_by = @driver
            """, new { id = decision.RequestId, outcome = decision.Outcome, at = Ms.Of(decision.At), driver = decision.Driver }, transaction, cancellationToken)) == 1;

    private Task<bool> UpdateAsync(string sql, object parameters, CancellationToken cancellationToken) =>
        session.WriteAsync(async (connection, transaction) =>
            await connection.ExecuteAsync(SqlSession.Command(sql, parameters, transaction, cancellationToken)) == 1, cancellationToken);

    private static string Name(RunChangeStatus status) => status.ToString().ToLowerInvariant();

    private sealed class Row
    {
        public long Id { get; set; }
        public string RunId { get; set; } = "";
        public string TaskId { get; set; } = "";
        public string Kind { get; set; } = "";
        public long Downstream { get; set; }
        public string? MarkState { get; set; }
        public string Reason { get; set; } = "";
        public long RequestedAt { get; set; }
        public string Status { get; set; } = "";
        public string? Outcome { get; set; }
        public string? DecidedBy { get; set; }
        public long? DecidedAt { get; set; }

        public RunChangeRequest ToRecord() => new(
            Id, new Core.Model.RunId(RunId), new Core.Model.TaskId(TaskId), Downstream != 0,
            TaskInstanceStates.TryParse(MarkState, out var state) ? state : null,
            Reason, Ms.At(RequestedAt), Enum.Parse<RunChangeStatus>(Status, ignoreCase: true), Outcome, DecidedBy, Ms.At(DecidedAt));
    }
}
