using System.Data.Common;
using Dapper;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlEventStore(SqlSession session) : IEventStore
{
    private const string Columns = "id, kind, subject, payload, dedupe_key, created_at, source_dag_id, source_run_id, source_task_id, delivered_at";

    public async Task<(EventRecord Event, bool Created)> EmitAsync(NewEvent newEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newEvent);
        (EventRecord, bool) result = default;
        await session.WriteAsync(async (connection, transaction) =>
        {
            var created = await InsertAsync(connection, transaction, newEvent, cancellationToken);
            var stored = await connection.QuerySingleAsync<EventRow>(SqlSession.Command(
                $"SELECT {Columns} FROM events WHERE dedupe_key = @key", new { key = newEvent.DedupeKey }, transaction, cancellationToken));
            result = (stored.ToRecord(), created);
        }, cancellationToken);
        return result;
    }

    /// <summary>Inserts unless the dedupe key is taken; also used inside <see cref="IMetadataStore.ApplyAsync"/>'s
    /// transaction. True when this call inserted it.</summary>
    internal static async Task<bool> InsertAsync(DbConnection connection, DbTransaction transaction, NewEvent newEvent, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(SqlSession.Command("""
            INSERT INTO events (kind, subject, payload, dedupe_key, created_at, source_dag_id, source_run_id, source_task_id)
            VALUES (@kind, @subject, @payload, @key, @at, @dagId, @runId, @taskId)
            ON CONFLICT (dedupe_key) DO NOTHING
            """, new
        {
            kind = newEvent.Kind, subject = newEvent.Subject, payload = newEvent.Payload, key = newEvent.DedupeKey, at = Ms.Of(newEvent.At),
            dagId = newEvent.SourceDagId, runId = newEvent.SourceRunId, taskId = newEvent.SourceTaskId,
        }, transaction, cancellationToken)) == 1;

    public Task<IReadOnlyList<EventRecord>> ListUndeliveredAsync(int limit, CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<EventRecord>>(async connection => [.. (await connection.QueryAsync<EventRow>(SqlSession.Command(
            $"SELECT {Columns} FROM events WHERE delivered_at IS NULL ORDER BY id LIMIT @limit", new { limit = (long)limit }, null, cancellationToken)))
            .Select(row => row.ToRecord())], cancellationToken);

    public async Task<bool> MarkDeliveredAsync(long id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var marked = false;
        await session.WriteAsync(async (connection, transaction) => marked = await connection.ExecuteAsync(SqlSession.Command(
            "UPDATE events SET delivered_at = @at WHERE id = @id AND delivered_at IS NULL", new { id, at = Ms.Of(at) }, transaction, cancellationToken)) == 1,
            cancellationToken);
        return marked;
    }

    public Task<EventRecord?> GetAsync(long id, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<EventRow>(SqlSession.Command(
            $"SELECT {Columns} FROM events WHERE id = @id", new { id }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<EventRecord>> GetManyAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return ids.Count == 0
            ? Task.FromResult<IReadOnlyList<EventRecord>>([])
            : session.ReadAsync<IReadOnlyList<EventRecord>>(async connection =>
            {
                var (list, parameters) = SqlInList.Of(ids);
                return [.. (await connection.QueryAsync<EventRow>(SqlSession.Command(
                    $"SELECT {Columns} FROM events WHERE id IN ({list}) ORDER BY id", parameters, null, cancellationToken))).Select(row => row.ToRecord())];
            }, cancellationToken);
    }

    public Task<(IReadOnlyList<EventRecord> Items, int Total)> ListAsync(EventQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        const string Filter = "(@kind IS NULL OR kind = @kind) AND (@subject IS NULL OR subject = @subject)";
        var parameters = new { kind = query.Kind, subject = query.Subject, offset = (long)query.Offset, limit = (long)query.Limit };
        return session.ReadAsync<(IReadOnlyList<EventRecord>, int)>(async connection =>
        {
            var rows = await connection.QueryAsync<EventRow>(SqlSession.Command(
                $"SELECT {Columns} FROM events WHERE {Filter} ORDER BY id DESC LIMIT @limit OFFSET @offset", parameters, null, cancellationToken));
            var total = await connection.ExecuteScalarAsync<long>(SqlSession.Command(
                $"SELECT COUNT(*) FROM events WHERE {Filter}", parameters, null, cancellationToken));
            return ([.. rows.Select(row => row.ToRecord())], (int)total);
        }, cancellationToken);
    }

    private sealed class EventRow
    {
        public long Id { get; set; }
        public string Kind { get; set; } = "";
        public string Subject { get; set; } = "";
        public string Payload { get; set; } = "{}";
        public string DedupeKey { get; set; } = "";
        public long CreatedAt { get; set; }
        public string? SourceDagId { get; set; }
        public string? SourceRunId { get; set; }
        public string? SourceTaskId { get; set; }
        public long? DeliveredAt { get; set; }

        public EventRecord ToRecord() =>
            new(Id, Kind, Subject, Payload, DedupeKey, Ms.At(CreatedAt), SourceDagId, SourceRunId, SourceTaskId, Ms.At(DeliveredAt));
    }
}
