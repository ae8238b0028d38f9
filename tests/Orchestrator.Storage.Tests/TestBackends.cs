using Npgsql;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests;

/// <summary>A SQLite store in a temp folder of its own, removed afterwards.</summary>
internal sealed class SqliteBackend(string prefix)
{
    public string Folder { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    public string DatabaseFile => Path.Combine(Folder, "orchestrator.db");

    public async Task<IMetadataStore> OpenAsync() =>
        await SqlMetadataStore.OpenAsync(new SqliteDatabase(DatabaseFile), TimeProvider.System, default);

    public Task DropAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>A PostgreSQL store in a schema of its own on the server eng/test.sh starts (ORCHESTRATOR_TEST_POSTGRES),
/// dropped afterwards. Without a server the tests fail: they are never skipped.</summary>
internal sealed class PostgresBackend
{
    public string Schema { get; } = $"test_{Guid.NewGuid():N}";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "ORCHESTRATOR_TEST_POSTGRES is not set: run the tests with ./eng/test.sh, which installs and starts PostgreSQL 15 on a free loopback port");

    public async Task<IMetadataStore> OpenAsync() =>
        await SqlMetadataStore.OpenAsync(new PostgresDatabase(ConnectionString, Schema), TimeProvider.System, default);

    public async Task DropAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
