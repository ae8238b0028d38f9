using Dapper;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlVariableStore(SqlSession session) : IVariableStore
{
    private const string Columns = "name, key_id, ciphertext, updated_at";

    public Task SetAsync(VariableRecord variable, CancellationToken cancellationToken) =>
        session.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(SqlSession.Command("""
            INSERT INTO variables (name, key_id, ciphertext, updated_at) VALUES (@name, @keyId, @ciphertext, @at)
            ON CONFLICT (name) DO UPDATE SET key_id = excluded.key_id, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at
            """, new { name = variable.Name, keyId = variable.Value.KeyId, ciphertext = variable.Value.Ciphertext, at = Ms.Of(variable.UpdatedAt) },
            transaction, cancellationToken)), cancellationToken);

    public Task<VariableRecord?> GetAsync(string name, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<VariableRow>(SqlSession.Command(
            $"SELECT {Columns} FROM variables WHERE name = @name", new { name }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<VariableRecord>> ListAsync(CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<VariableRecord>>(async connection => [.. (await connection.QueryAsync<VariableRow>(SqlSession.Command(
            $"SELECT {Columns} FROM variables ORDER BY name", null, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        session.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(SqlSession.Command(
            "DELETE FROM variables WHERE name = @name", new { name }, transaction, cancellationToken)) == 1, cancellationToken);
}

internal sealed class SqlConnectionStore(SqlSession session) : IConnectionStore
{
    private const string Columns = "name, conn_type, key_id, ciphertext, updated_at";

    public async Task<bool> AddAsync(ConnectionRecord connection, CancellationToken cancellationToken)
    {
        var added = false;
        await session.WriteAsync(async (db, transaction) => added = await db.ExecuteAsync(SqlSession.Command("""
            INSERT INTO connections (name, conn_type, key_id, ciphertext, updated_at) VALUES (@name, @type, @keyId, @ciphertext, @at)
            ON CONFLICT (name) DO NOTHING
            """, new { name = connection.Name, type = connection.Type, keyId = connection.Payload.KeyId, ciphertext = connection.Payload.Ciphertext, at = Ms.Of(connection.UpdatedAt) },
            transaction, cancellationToken)) == 1, cancellationToken);
        return added;
    }

    public Task<ConnectionRecord?> GetAsync(string name, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<ConnectionRow>(SqlSession.Command(
            $"SELECT {Columns} FROM connections WHERE name = @name", new { name }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<ConnectionRecord>> ListAsync(CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<ConnectionRecord>>(async connection => [.. (await connection.QueryAsync<ConnectionRow>(SqlSession.Command(
            $"SELECT {Columns} FROM connections ORDER BY name", null, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) =>
        session.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(SqlSession.Command(
            "DELETE FROM connections WHERE name = @name", new { name }, transaction, cancellationToken)) == 1, cancellationToken);
}

internal sealed class VariableRow
{
    public string Name { get; set; } = "";
    public string KeyId { get; set; } = "";
    public string Ciphertext { get; set; } = "";
    public long UpdatedAt { get; set; }

    public VariableRecord ToRecord() => new(Name, new SealedValue(KeyId, Ciphertext), Ms.At(UpdatedAt));
}

internal sealed class ConnectionRow
{
    public string Name { get; set; } = "";
    public string ConnType { get; set; } = "";
    public string KeyId { get; set; } = "";
    public string Ciphertext { get; set; } = "";
    public long UpdatedAt { get; set; }

    public ConnectionRecord ToRecord() => new(Name, ConnType, new SealedValue(KeyId, Ciphertext), Ms.At(UpdatedAt));
}
