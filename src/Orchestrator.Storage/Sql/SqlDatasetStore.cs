using Dapper;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlDatasetStore(SqlSession session) : IDatasetStore
{
    public async Task<(DatasetVersionRecord Version, bool Created)> RecordAsync(DatasetVersionRecord version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArtifactDigest.Ensure(version.Digest, "dataset digest");
        if (string.IsNullOrWhiteSpace(version.Name))
        {
            throw new ArgumentException("dataset name is empty", nameof(version));
        }

        (DatasetVersionRecord, bool) result = default;
        await session.WriteAsync(async (connection, transaction) =>
        {
            var parameters = new DynamicParameters(Lineage.Parameters(version.CreatedBy));
            parameters.AddDynamicParams(new
            {
                digest = version.Digest, name = version.Name, source = version.Source, sizeBytes = version.SizeBytes, rowCount = version.Rows,
                schemaJson = version.SchemaJson, profileJson = version.ProfileJson, at = Ms.Of(version.CreatedAt),
            });
            // The digest is the key: a concurrent recorder of the same bytes waits on it and then inserts nothing.
            var created = await connection.ExecuteAsync(SqlSession.Command($"""
                INSERT INTO dataset_versions ({DatasetVersionRow.Columns})
                VALUES (@digest, @name, @source, @sizeBytes, @rowCount, @schemaJson, @profileJson, @at, @lineageDagId, @lineageRunId, @lineageTaskId, @lineageTry)
                ON CONFLICT (digest) DO NOTHING
                """, parameters, transaction, cancellationToken)) == 1;
            await connection.ExecuteAsync(SqlSession.Command("""
                INSERT INTO dataset_names (name, digest, recorded_at) VALUES (@name, @digest, @at)
                ON CONFLICT (name, digest) DO NOTHING
                """, new { name = version.Name, digest = version.Digest, at = Ms.Of(version.CreatedAt) }, transaction, cancellationToken));
            var stored = await connection.QuerySingleAsync<DatasetVersionRow>(SqlSession.Command(
                $"SELECT {DatasetVersionRow.Columns} FROM dataset_versions WHERE digest = @digest", new { digest = version.Digest }, transaction, cancellationToken));
            result = (stored.ToRecord(), created);
        }, cancellationToken);
        return result;
    }

    public Task<DatasetVersionRecord?> GetAsync(string digest, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<DatasetVersionRow>(SqlSession.Command(
            $"SELECT {DatasetVersionRow.Columns} FROM dataset_versions WHERE digest = @digest", new { digest }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<DatasetVersionRecord>> ListAsync(string name, CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<DatasetVersionRecord>>(async connection => [.. (await connection.QueryAsync<DatasetVersionRow>(SqlSession.Command($"""
            SELECT {string.Join(", ", DatasetVersionRow.Columns.Split(", ").Select(column => "v." + column))}
              FROM dataset_names n JOIN dataset_versions v ON v.digest = n.digest
             WHERE n.name = @name
             ORDER BY n.recorded_at DESC, v.digest
            """, new { name }, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);

    public Task<(IReadOnlyList<DatasetListingRecord> Items, int Total)> ListAllAsync(int offset, int limit, CancellationToken cancellationToken)
    {
        Paging.Ensure(offset, limit);
        return session.ReadAsync<(IReadOnlyList<DatasetListingRecord>, int)>(async connection =>
        {
            var total = await connection.ExecuteScalarAsync<long>(SqlSession.Command("SELECT COUNT(*) FROM dataset_names", null, null, cancellationToken));
            var rows = await connection.QueryAsync<DatasetListingRow>(SqlSession.Command($"""
                SELECT n.name AS listed_name, n.recorded_at AS listed_at, {string.Join(", ", DatasetVersionRow.Columns.Split(", ").Select(column => "v." + column))}
                  FROM dataset_names n JOIN dataset_versions v ON v.digest = n.digest
                 ORDER BY n.recorded_at DESC, n.name, v.digest
                 LIMIT @limit OFFSET @offset
                """, new { limit, offset }, null, cancellationToken));
            return ([.. rows.Select(row => new DatasetListingRecord(row.ListedName, Ms.At(row.ListedAt), row.ToRecord()))], (int)total);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<string>> ListNamesAsync(CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<string>>(async connection => [.. await connection.QueryAsync<string>(SqlSession.Command(
            "SELECT DISTINCT name FROM dataset_names ORDER BY name", null, null, cancellationToken))], cancellationToken);
}
