using System.Data.Common;
using Dapper;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Ml;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

/// <summary>The registry on SQL. Every write that depends on a model's current state (its next version number, an
/// alias's current version) first locks the model's row with a no-op UPDATE: on PostgreSQL that row lock makes a
/// second writer wait until the first commits (and then read what it wrote); SQLite has one writer at a time
/// anyway. So versions are numbered 1, 2, 3… without gaps or repeats, and alias history is in the order the moves
/// were applied, across processes.</summary>
internal sealed class SqlModelRegistryStore(SqlSession session) : IModelRegistryStore
{
    public async Task<(ModelVersionRecord Version, bool Created)> RegisterVersionAsync(NewModelVersion version, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        MlNames.Ensure(MlNames.ModelNameProblem(version.Name), "model name");
        ArtifactDigest.Ensure(version.ArtifactDigest, "artifact digest");
        if (version.DatasetDigest is { } dataset)
        {
            ArtifactDigest.Ensure(dataset, "dataset digest");
        }

        (ModelVersionRecord, bool) result = default;
        await session.WriteAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync(SqlSession.Command("""
                INSERT INTO registered_models (name, description, tags_json, created_at, updated_at, last_version)
                VALUES (@name, NULL, '{}', @at, @at, 0)
                ON CONFLICT (name) DO NOTHING
                """, new { name = version.Name, at = Ms.Of(at) }, transaction, cancellationToken));
            await LockModelAsync(connection, transaction, version.Name, cancellationToken);

            if (Lineage.IsTaskOfRun(version.CreatedBy) && await connection.QuerySingleOrDefaultAsync<ModelVersionRow>(SqlSession.Command($"""
                SELECT {ModelVersionRow.Columns} FROM model_versions
                 WHERE name = @name AND lineage_dag_id = @lineageDagId AND lineage_run_id = @lineageRunId AND lineage_task_id = @lineageTaskId
                """, WithName(version.Name, version.CreatedBy), transaction, cancellationToken)) is { } existing)
            {
                result = (existing.ToRecord(), false);
                return;
            }

            var number = await connection.ExecuteScalarAsync<long>(SqlSession.Command("""
                UPDATE registered_models SET last_version = last_version + 1, updated_at = @at WHERE name = @name
                RETURNING last_version
                """, new { name = version.Name, at = Ms.Of(at) }, transaction, cancellationToken));
            var record = new ModelVersionRecord(
                version.Name, checked((int)number), version.Description, version.Tags ?? new Dictionary<string, string>(), version.ArtifactDigest, version.SignatureJson,
                version.DatasetDigest, version.TrackingRunId, version.ParamsJson, version.MetricsJson, at, version.CreatedBy);
            var parameters = new DynamicParameters(Lineage.Parameters(version.CreatedBy));
            parameters.AddDynamicParams(new
            {
                name = record.Name, version = number, description = record.Description, tagsJson = JsonMap.Write(record.Tags),
                artifactDigest = record.ArtifactDigest, signatureJson = record.SignatureJson, datasetDigest = record.DatasetDigest,
                trackingRunId = record.TrackingRunId, paramsJson = record.ParamsJson, metricsJson = record.MetricsJson, at = Ms.Of(at),
            });
            await connection.ExecuteAsync(SqlSession.Command($"""
                INSERT INTO model_versions ({ModelVersionRow.Columns})
                VALUES (@name, @version, @description, @tagsJson, @artifactDigest, @signatureJson, @datasetDigest, @trackingRunId,
                        @paramsJson, @metricsJson, @at, @lineageDagId, @lineageRunId, @lineageTaskId, @lineageTry)
                """, parameters, transaction, cancellationToken));
            result = (record, true);
        }, cancellationToken);
        return result;
    }

    public Task<RegisteredModelRecord?> GetModelAsync(string name, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection =>
        {
            var row = await connection.QuerySingleOrDefaultAsync<RegisteredModelRow>(SqlSession.Command(
                $"SELECT {RegisteredModelRow.Columns} FROM registered_models WHERE name = @name", new { name }, null, cancellationToken));
            if (row is null)
            {
                return null;
            }

            var aliases = await connection.QueryAsync<AliasRow>(SqlSession.Command(
                "SELECT name, alias, version FROM model_aliases WHERE name = @name", new { name }, null, cancellationToken));
            return row.ToRecord(AliasMap(aliases));
        }, cancellationToken);

    public Task<IReadOnlyList<RegisteredModelRecord>> ListModelsAsync(CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<RegisteredModelRecord>>(async connection =>
        {
            var rows = await connection.QueryAsync<RegisteredModelRow>(SqlSession.Command(
                $"SELECT {RegisteredModelRow.Columns} FROM registered_models ORDER BY name", null, null, cancellationToken));
            var aliases = (await connection.QueryAsync<AliasRow>(SqlSession.Command(
                "SELECT name, alias, version FROM model_aliases", null, null, cancellationToken))).ToLookup(alias => alias.Name, StringComparer.Ordinal);
            return [.. rows.Select(row => row.ToRecord(AliasMap(aliases[row.Name])))];
        }, cancellationToken);

    public Task<ModelVersionRecord?> GetVersionAsync(string name, int version, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<ModelVersionRow>(SqlSession.Command(
            $"SELECT {ModelVersionRow.Columns} FROM model_versions WHERE name = @name AND version = @version",
            new { name, version = (long)version }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<ModelVersionRecord>> ListVersionsAsync(string name, CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<ModelVersionRecord>>(async connection => [.. (await connection.QueryAsync<ModelVersionRow>(SqlSession.Command(
            $"SELECT {ModelVersionRow.Columns} FROM model_versions WHERE name = @name ORDER BY version DESC",
            new { name }, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);

    public Task<ModelVersionRecord?> GetByAliasAsync(string name, string alias, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<ModelVersionRow>(SqlSession.Command($"""
            SELECT {string.Join(", ", ModelVersionRow.Columns.Split(", ").Select(column => "v." + column))}
              FROM model_aliases a JOIN model_versions v ON v.name = a.name AND v.version = a.version
             WHERE a.name = @name AND a.alias = @alias
            """, new { name, alias }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public async Task<AliasMoveRecord?> SetAliasAsync(
        string name, string alias, int version, string movedBy, string? reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        MlNames.Ensure(MlNames.AliasProblem(alias), "alias");
        ArgumentException.ThrowIfNullOrWhiteSpace(movedBy);
        AliasMoveRecord? move = null;
        await session.WriteAsync(async (connection, transaction) =>
        {
            if (!await LockModelAsync(connection, transaction, name, cancellationToken))
            {
                throw new KeyNotFoundException($"no model '{name}'");
            }

            var exists = await connection.ExecuteScalarAsync<long>(SqlSession.Command(
                "SELECT COUNT(*) FROM model_versions WHERE name = @name AND version = @version", new { name, version = (long)version }, transaction, cancellationToken));
            if (exists == 0)
            {
                throw new KeyNotFoundException($"model '{name}' has no version {version}");
            }

            var current = await CurrentAsync(connection, transaction, name, alias, cancellationToken);
            if (current == version)
            {
                return false; // already there: no move to record
            }

            await connection.ExecuteAsync(SqlSession.Command("""
                INSERT INTO model_aliases (name, alias, version) VALUES (@name, @alias, @version)
                ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version
                """, new { name, alias, version = (long)version }, transaction, cancellationToken));
            move = new AliasMoveRecord(name, alias, (int?)current, version, at, movedBy, reason);
            await AppendHistoryAsync(connection, transaction, move, cancellationToken);
            return true;
        }, cancellationToken);
        return move;
    }

    public async Task<bool> DeleteAliasAsync(string name, string alias, string movedBy, string? reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(movedBy);
        return await session.WriteAsync(async (connection, transaction) =>
        {
            if (!await LockModelAsync(connection, transaction, name, cancellationToken) ||
                await CurrentAsync(connection, transaction, name, alias, cancellationToken) is not { } current)
            {
                return false;
            }

            await connection.ExecuteAsync(SqlSession.Command(
                "DELETE FROM model_aliases WHERE name = @name AND alias = @alias", new { name, alias }, transaction, cancellationToken));
            await AppendHistoryAsync(connection, transaction, new AliasMoveRecord(name, alias, (int)current, null, at, movedBy, reason), cancellationToken);
            return true;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<AliasMoveRecord>> AliasHistoryAsync(string name, string? alias, CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<AliasMoveRecord>>(async connection => [.. (await connection.QueryAsync<AliasMoveRow>(SqlSession.Command($"""
            SELECT {AliasMoveRow.Columns} FROM model_alias_history
             WHERE name = @name AND (@alias IS NULL OR alias = @alias)
             ORDER BY id DESC
            """, new { name, alias }, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);

    public Task<bool> SetVersionTagAsync(string name, int version, string key, string? value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return session.WriteAsync(async (connection, transaction) =>
        {
            var ids = new { name, version = (long)version };
            // The no-op update locks the version's row: two taggers of one version cannot lose each other's tag.
            if (await connection.ExecuteAsync(SqlSession.Command(
                "UPDATE model_versions SET tags_json = tags_json WHERE name = @name AND version = @version", ids, transaction, cancellationToken)) != 1)
            {
                return false;
            }

            var tags = JsonMap.Read(await connection.ExecuteScalarAsync<string>(SqlSession.Command(
                "SELECT tags_json FROM model_versions WHERE name = @name AND version = @version", ids, transaction, cancellationToken)) ?? "{}");
            if (value is null)
            {
                tags.Remove(key);
            }
            else
            {
                tags[key] = value;
            }

            await connection.ExecuteAsync(SqlSession.Command(
                "UPDATE model_versions SET tags_json = @tagsJson WHERE name = @name AND version = @version",
                new { ids.name, ids.version, tagsJson = JsonMap.Write(tags) }, transaction, cancellationToken));
            return true;
        }, cancellationToken);
    }

    public Task<bool> UpdateModelAsync(string name, string? description, IReadOnlyDictionary<string, string>? tags, DateTimeOffset at, CancellationToken cancellationToken) =>
        session.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(SqlSession.Command("""
            UPDATE registered_models
               SET description = COALESCE(@description, description), tags_json = COALESCE(@tagsJson, tags_json), updated_at = @at
             WHERE name = @name
            """, new { name, description, tagsJson = tags is null ? null : JsonMap.Write(tags), at = Ms.Of(at) }, transaction, cancellationToken)) == 1,
            cancellationToken);

    /// <summary>Locks the model's row until the transaction ends; false when there is no such model.</summary>
    private static async Task<bool> LockModelAsync(DbConnection connection, DbTransaction transaction, string name, CancellationToken cancellationToken) =>
        await connection.ExecuteAsync(SqlSession.Command(
            "UPDATE registered_models SET last_version = last_version WHERE name = @name", new { name }, transaction, cancellationToken)) == 1;

    private static Task<long?> CurrentAsync(DbConnection connection, DbTransaction transaction, string name, string alias, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long?>(SqlSession.Command(
            "SELECT version FROM model_aliases WHERE name = @name AND alias = @alias", new { name, alias }, transaction, cancellationToken));

    private static Task<int> AppendHistoryAsync(DbConnection connection, DbTransaction transaction, AliasMoveRecord move, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(SqlSession.Command($"""
            INSERT INTO model_alias_history ({AliasMoveRow.Columns})
            VALUES (@name, @alias, @fromVersion, @toVersion, @at, @movedBy, @reason)
            """,
            new
            {
                name = move.Name, alias = move.Alias, fromVersion = (long?)move.FromVersion, toVersion = (long?)move.ToVersion, at = Ms.Of(move.MovedAt),
                movedBy = move.MovedBy, reason = move.Reason,
            },
            transaction, cancellationToken));

    private static DynamicParameters WithName(string name, RunLineage lineage)
    {
        var parameters = new DynamicParameters(Lineage.Parameters(lineage));
        parameters.Add("name", name);
        return parameters;
    }

    private static Dictionary<string, int> AliasMap(IEnumerable<AliasRow> aliases) =>
        aliases.OrderBy(alias => alias.Alias, StringComparer.Ordinal).ToDictionary(alias => alias.Alias, alias => (int)alias.Version, StringComparer.Ordinal);
}
