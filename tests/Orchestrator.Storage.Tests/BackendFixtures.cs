using Npgsql;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests;

public sealed class SqliteStoreContractTests : StoreContractTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-store-").FullName;

    protected override async Task<IMetadataStore> OpenAsync() =>
        await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), TimeProvider.System, default);

    protected override Task DropAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>Runs on the real PostgreSQL server that eng/test.sh starts (ORCHESTRATOR_TEST_POSTGRES), each test in a
/// schema of its own that is dropped afterwards. Without a server these tests fail: they are never skipped.</summary>
public sealed class PostgresStoreContractTests : StoreContractTests
{
    private readonly string _schema = $"test_{Guid.NewGuid():N}";

    internal static string ConnectionString =>
        Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "ORCHESTRATOR_TEST_POSTGRES is not set: run the tests with ./eng/test.sh, which installs and starts PostgreSQL 15 on a free loopback port");

    protected override async Task<IMetadataStore> OpenAsync() =>
        await SqlMetadataStore.OpenAsync(new PostgresDatabase(ConnectionString, _schema), TimeProvider.System, default);

    protected override async Task DropAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
