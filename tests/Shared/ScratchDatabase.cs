using Npgsql;

namespace Orchestrator.Tests.Shared;

/// <summary>(Shared by the test projects that need one: linked into each csproj.) A PostgreSQL database of its own on the test server (ORCHESTRATOR_TEST_POSTGRES), dropped afterwards:
/// Quartz's tables live in the fixed schema <c>quartz</c>, so tests running in parallel need separate databases.
/// Without a server the tests fail; they are never skipped.</summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _server;

    private ScratchDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<ScratchDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "ORCHESTRATOR_TEST_POSTGRES is not set: run the tests with ./eng/test.sh, which installs and starts PostgreSQL 15 on a free loopback port");
        var database = new ScratchDatabase(server, $"test_{Guid.NewGuid():N}");
        await database.ExecuteOnServerAsync($"CREATE DATABASE \"{database.Name}\"");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
