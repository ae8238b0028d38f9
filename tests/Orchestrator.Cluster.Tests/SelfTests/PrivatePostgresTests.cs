using Npgsql;
using Orchestrator.Cluster.Tests.Infrastructure.Postgres;

namespace Orchestrator.Cluster.Tests.SelfTests;

/// <summary>The private server does what the fault tests rely on: it keeps committed data across a clean restart
/// and across SIGKILL of every server process, and clients see the outage while it is down.</summary>
public sealed class PrivatePostgresTests
{
    [Fact(Timeout = 60_000)]
    public async Task CommittedRows_SurviveRestart_AndKillThenStart()
    {
        await using var postgres = await PrivatePostgres.CreateAsync();
        var database = await postgres.CreateDatabaseAsync("durability");
        Assert.True(postgres.IsRunning);
        Assert.Equal("on", await ScalarAsync(database, "SHOW fsync"));
        await ScalarAsync(database, "CREATE TABLE kept (id int PRIMARY KEY, note text); INSERT INTO kept VALUES (1, 'before restart')");

        await postgres.RestartAsync();
        await ScalarAsync(database, "INSERT INTO kept VALUES (2, 'before kill')");

        await postgres.KillAsync();
        Assert.False(postgres.IsRunning);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(database, "SELECT 1"));

        await postgres.StartAsync();
        Assert.True(postgres.IsRunning);
        Assert.Equal("before restart,before kill", await ScalarAsync(database, "SELECT string_agg(note, ',' ORDER BY id) FROM kept"));
        Assert.Contains("database system was interrupted", postgres.ReadLog(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Stop_ThenStart_AndDisposeRemovesEverything()
    {
        string folder;
        await using (var postgres = await PrivatePostgres.CreateAsync())
        {
            folder = postgres.Folder;
            await postgres.StopAsync();
            Assert.False(postgres.IsRunning);
            await postgres.StartAsync();
            Assert.Equal("1", await ScalarAsync(postgres.ConnectionString, "SELECT 1"));
        }

        Assert.False(Directory.Exists(folder));
    }

    [Fact(Timeout = 30_000)]
    public async Task CreateDatabase_RejectsANameThatIsNotAnIdentifier()
    {
        await using var postgres = await PrivatePostgres.CreateAsync();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => postgres.CreateDatabaseAsync("x\"; DROP"));
        Assert.Contains("lower-case letters", error.Message, StringComparison.Ordinal);
    }

    private static async Task<string?> ScalarAsync(string connectionString, string sql)
    {
        // No pool: a pooled session would have died with the restart and fail the next statement.
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (await command.ExecuteScalarAsync())?.ToString();
    }
}
