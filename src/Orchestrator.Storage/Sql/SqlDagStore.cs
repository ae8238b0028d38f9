using Dapper;
using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlDagStore(SqlSession session) : IDagStore
{
    private const string DagColumns = "dag_id, latest_version, file_path, schedule, is_paused, is_active, updated_at";

    public Task UpsertAsync(DagVersionRecord version, string? schedule, CancellationToken cancellationToken) =>
        session.WriteAsync(async (connection, transaction) =>
        {
            var at = Ms.Of(version.FirstSeenAt);
            await connection.ExecuteAsync(SqlSession.Command("""
                INSERT INTO dag_versions (dag_id, version, file_path, source, first_seen_at)
                VALUES (@dagId, @version, @filePath, @source, @at)
                ON CONFLICT (dag_id, version) DO NOTHING
                """, new { dagId = version.DagId.Value, version = version.Version, filePath = version.FilePath, source = version.Source, at }, transaction, cancellationToken));
            await connection.ExecuteAsync(SqlSession.Command("""
                INSERT INTO dags (dag_id, latest_version, file_path, schedule, is_paused, is_active, updated_at)
                VALUES (@dagId, @version, @filePath, @schedule, 0, 1, @at)
                ON CONFLICT (dag_id) DO UPDATE SET latest_version = excluded.latest_version, file_path = excluded.file_path,
                    schedule = excluded.schedule, is_active = 1, updated_at = excluded.updated_at
                """, new { dagId = version.DagId.Value, version = version.Version, filePath = version.FilePath, schedule, at }, transaction, cancellationToken));
        }, cancellationToken);

    public Task<DagRecord?> GetAsync(DagId dagId, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<DagRow>(SqlSession.Command(
            $"SELECT {DagColumns} FROM dags WHERE dag_id = @dagId", new { dagId = dagId.Value }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<DagRecord>> ListAsync(CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<DagRecord>>(async connection => [.. (await connection.QueryAsync<DagRow>(SqlSession.Command(
            $"SELECT {DagColumns} FROM dags ORDER BY dag_id", null, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);

    public Task<DagVersionRecord?> GetVersionAsync(DagId dagId, string version, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<DagVersionRow>(SqlSession.Command(
            "SELECT dag_id, version, file_path, source, first_seen_at FROM dag_versions WHERE dag_id = @dagId AND version = @version",
            new { dagId = dagId.Value, version }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<bool> SetPausedAsync(DagId dagId, bool paused, DateTimeOffset at, CancellationToken cancellationToken) =>
        session.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(SqlSession.Command(
            "UPDATE dags SET is_paused = @paused, updated_at = @at WHERE dag_id = @dagId",
            new { paused = paused ? 1L : 0L, at = Ms.Of(at), dagId = dagId.Value }, transaction, cancellationToken)) == 1, cancellationToken);

    public Task MarkActiveAsync(IReadOnlyCollection<DagId> present, DateTimeOffset at, CancellationToken cancellationToken) =>
        session.WriteAsync(async (connection, transaction) =>
        {
            var ids = present.Select(id => id.Value).ToHashSet(StringComparer.Ordinal);
            var known = await connection.QueryAsync<DagRow>(SqlSession.Command($"SELECT {DagColumns} FROM dags", null, transaction, cancellationToken));
            foreach (var row in known.Where(row => (row.IsActive != 0) != ids.Contains(row.DagId)))
            {
                await connection.ExecuteAsync(SqlSession.Command(
                    "UPDATE dags SET is_active = @active, updated_at = @at WHERE dag_id = @dagId",
                    new { active = ids.Contains(row.DagId) ? 1L : 0L, at = Ms.Of(at), dagId = row.DagId }, transaction, cancellationToken));
            }
        }, cancellationToken);

    public Task ReplaceImportErrorsAsync(string filePath, IReadOnlyList<ImportErrorRecord> errors, CancellationToken cancellationToken) =>
        session.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(SqlSession.Command("DELETE FROM import_errors WHERE file_path = @filePath", new { filePath }, transaction, cancellationToken));
            foreach (var error in errors)
            {
                await connection.ExecuteAsync(SqlSession.Command("""
                    INSERT INTO import_errors (file_path, message, line, col, recorded_at) VALUES (@filePath, @message, @line, @col, @at)
                    """, new { filePath, message = error.Message, line = (long?)error.Line, col = (long?)error.Column, at = Ms.Of(error.RecordedAt) }, transaction, cancellationToken));
            }
        }, cancellationToken);

    public Task<IReadOnlyList<ImportErrorRecord>> ListImportErrorsAsync(CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<ImportErrorRecord>>(async connection => [.. (await connection.QueryAsync<ImportErrorRow>(SqlSession.Command(
            "SELECT file_path, message, line, col, recorded_at FROM import_errors ORDER BY file_path, id", null, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);
}
