using Npgsql;
using Orchestrator.Storage;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Application.Tests;

/// <summary>Where a test's metadata store lives (the storage tests' pattern): a SQLite file in a temp folder, or a
/// schema of its own on the PostgreSQL server ORCHESTRATOR_TEST_POSTGRES names (never skipped without one).</summary>
public interface ITestBackend
{
    Task<IMetadataStore> OpenAsync();

    Task DropAsync();
}

public sealed class SqliteBackend : ITestBackend
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-app-").FullName;

    public async Task<IMetadataStore> OpenAsync() =>
        await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), TimeProvider.System, default);

    public Task DropAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class PostgresBackend : ITestBackend
{
    private readonly string _schema = $"test_{Guid.NewGuid():N}";

    private static string ConnectionString =>
        Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("ORCHESTRATOR_TEST_POSTGRES is not set: run the tests with ./eng/test.sh, which starts PostgreSQL 15");

    public async Task<IMetadataStore> OpenAsync() =>
        await SqlMetadataStore.OpenAsync(new PostgresDatabase(ConnectionString, _schema), TimeProvider.System, default);

    public async Task DropAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
