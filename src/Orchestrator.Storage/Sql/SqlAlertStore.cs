using System.Data.Common;
using Dapper;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlAlertStore(SqlSession session) : IAlertStore
{
    public async Task<(AlertRecord Alert, bool Created)> RecordAsync(NewAlert alert, CancellationToken cancellationToken)
    {
        (AlertRecord, bool) result = default;
        await session.WriteAsync(async (connection, transaction) =>
        {
            var created = await AlertStatements.InsertAsync(connection, transaction, alert, cancellationToken);
            var stored = await connection.QuerySingleAsync<AlertRow>(SqlSession.Command(
                $"SELECT {AlertRow.Columns} FROM alerts WHERE dedupe_key = @key", new { key = alert.DedupeKey }, transaction, cancellationToken));
            result = (stored.ToRecord(), created);
        }, cancellationToken);
        return result;
    }

    public Task<IReadOnlyList<AlertRecord>> ListPendingAsync(int limit, CancellationToken cancellationToken)
    {
        Paging.Ensure(0, limit);
        return session.ReadAsync<IReadOnlyList<AlertRecord>>(async connection => [.. (await connection.QueryAsync<AlertRow>(SqlSession.Command(
            $"SELECT {AlertRow.Columns} FROM alerts WHERE state = @pending AND kind <> 'notify' ORDER BY created_at, id LIMIT @limit",
            new { pending = AlertStates.Name(AlertState.Pending), limit }, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);
    }

    public Task MarkAsync(long id, AlertState state, int attempts, string? error, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (state == AlertState.Recorded)
        {
            // Recorded means "no webhook": a delivery result can never be that.
            throw new ArgumentException("a delivery result is Pending, Sent or Failed, not Recorded", nameof(state));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(attempts);
        return session.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(SqlSession.Command("""
            UPDATE alerts SET state = @state, attempts = @attempts, last_error = @error,
                   sent_at = CASE WHEN @sent = 1 THEN @at ELSE sent_at END
             WHERE id = @id AND state <> @recorded
            """, new
        {
            id, state = AlertStates.Name(state), attempts = (long)attempts, error, at = Ms.Of(at), sent = state == AlertState.Sent ? 1L : 0L,
            recorded = AlertStates.Name(AlertState.Recorded),
        }, transaction, cancellationToken)), cancellationToken);
    }

    public Task<AlertRecord?> GetAsync(long id, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<AlertRow>(SqlSession.Command(
            $"SELECT {AlertRow.Columns} FROM alerts WHERE id = @id", new { id }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<(IReadOnlyList<AlertRecord> Items, int Total)> ListAsync(AlertQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        Paging.Ensure(query.Offset, query.Limit);
        var parameters = new
        {
            kind = query.Kind, dagId = query.DagId, state = query.State is { } state ? AlertStates.Name(state) : null,
            offset = query.Offset, limit = query.Limit,
        };
        // CAST: PostgreSQL cannot infer a type for a parameter that is only compared with NULL.
        const string Where = """
            WHERE (CAST(@kind AS TEXT) IS NULL OR kind = @kind)
              AND (CAST(@dagId AS TEXT) IS NULL OR dag_id = @dagId)
              AND (CAST(@state AS TEXT) IS NULL OR state = @state)
            """;
        return session.ReadAsync<(IReadOnlyList<AlertRecord>, int)>(async connection =>
        {
            var total = await connection.ExecuteScalarAsync<long>(SqlSession.Command($"SELECT COUNT(*) FROM alerts {Where}", parameters, null, cancellationToken));
            var rows = await connection.QueryAsync<AlertRow>(SqlSession.Command(
                $"SELECT {AlertRow.Columns} FROM alerts {Where} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset", parameters, null, cancellationToken));
            return ([.. rows.Select(row => row.ToRecord())], (int)total);
        }, cancellationToken);
    }
}

/// <summary>The insert shared by <see cref="SqlAlertStore"/> and the engine's batch (same transaction as its cause).</summary>
internal static class AlertStatements
{
    /// <summary>Inserts the alert unless its dedupe key exists; true when it did.</summary>
    public static async Task<bool> InsertAsync(DbConnection connection, DbTransaction transaction, NewAlert alert, CancellationToken cancellationToken)
    {
        Validate(alert);
        return await connection.ExecuteAsync(SqlSession.Command("""
            INSERT INTO alerts (kind, severity, message, target, dedupe_key, created_at, dag_id, run_id, task_id, event_id, state, attempts)
            VALUES (@kind, @severity, @message, @target, @key, @at, @dagId, @runId, @taskId, @eventId, @state, 0)
            ON CONFLICT (dedupe_key) DO NOTHING
            """, new
        {
            kind = alert.Kind, severity = alert.Severity, message = alert.Message, target = alert.Target, key = alert.DedupeKey,
            at = Ms.Of(alert.At), dagId = alert.DagId, runId = alert.RunId, taskId = alert.TaskId, eventId = alert.EventId,
            state = AlertStates.Name(alert.Target is null ? AlertState.Recorded : AlertState.Pending),
        }, transaction, cancellationToken)) == 1;
    }

    private static void Validate(NewAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        foreach (var (value, name) in new[] { (alert.Kind, "kind"), (alert.Severity, "severity"), (alert.DedupeKey, "dedupe key") })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException($"alert {name} is empty", nameof(alert));
            }
        }

        ArgumentNullException.ThrowIfNull(alert.Message);
    }
}

internal sealed class AlertRow
{
    public const string Columns = "id, kind, severity, message, target, dedupe_key, created_at, dag_id, run_id, task_id, event_id, state, attempts, last_error, sent_at";

    public long Id { get; set; }
    public string Kind { get; set; } = "";
    public string Severity { get; set; } = "";
    public string Message { get; set; } = "";
    public string? Target { get; set; }
    public string DedupeKey { get; set; } = "";
    public long CreatedAt { get; set; }
    public string? DagId { get; set; }
    public string? RunId { get; set; }
    public string? TaskId { get; set; }
    public long? EventId { get; set; }
    public string State { get; set; } = "";
    public long Attempts { get; set; }
    public string? LastError { get; set; }
    public long? SentAt { get; set; }

    public AlertRecord ToRecord() => new(
        Id, Kind, Severity, Message, Target, DedupeKey, Ms.At(CreatedAt), DagId, RunId, TaskId, EventId,
        AlertStates.TryParse(State, out var state) ? state : throw new InvalidOperationException($"alert {Id} has unknown state '{State}'"),
        (int)Attempts, LastError, Ms.At(SentAt));
}
