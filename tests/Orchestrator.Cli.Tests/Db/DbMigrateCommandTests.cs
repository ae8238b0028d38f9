using Npgsql;
using Orchestrator.Engine.Scheduling.Clustered;

using Orchestrator.Tests.Shared;

namespace Orchestrator.Cli.Tests.Db;

/// <summary><c>db migrate</c> on a real PostgreSQL (a database of its own per test) and on SQLite.</summary>
public sealed class DbMigrateCommandTests : IAsyncLifetime
{
    // The metadata store's scripts, counted where MigrationRunner finds them.
    private static readonly int MetadataScripts = typeof(Orchestrator.Storage.Postgres.PostgresDatabase).Assembly
        .GetManifestResourceNames().Count(name => name.Contains(".Migrations.", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal));

    private ScratchDatabase _database = null!;

    public async Task InitializeAsync() => _database = await ScratchDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Migrate_CreatesEverySchema_ThenReRunningIsANoOp()
    {
        var (exit, output, error) = await CliRunner.RunAsync("db", "migrate", "--storage", _database.ConnectionString);

        Assert.True(exit == 0, error);
        Assert.Contains($"metadata store: {MetadataScripts} migration(s) applied", output);
        Assert.Contains("hangfire: schema hangfire created at version", output);
        Assert.Contains($"quartz: {QuartzSchema.Versions.Count} migration(s) applied", output);
        var tables = await TablesAsync();
        Assert.Contains("orchestrator.dag_runs", tables);
        Assert.Contains("hangfire.job", tables);
        Assert.Contains("quartz.qrtz_triggers", tables);
        Assert.Contains("quartz.qrtz_locks", tables);

        var again = await CliRunner.RunAsync("db", "migrate", "--storage", _database.ConnectionString);

        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Equal(3, again.Output.Split('\n').Count(line => line.Contains("already current", StringComparison.Ordinal)));
        Assert.Equal(tables, await TablesAsync());
        Assert.Equal((long)MetadataScripts, await ScalarAsync("SELECT COUNT(*) FROM orchestrator.schema_migrations"));
        Assert.Equal((long)QuartzSchema.Versions.Count, await ScalarAsync("SELECT COUNT(*) FROM quartz.schema_version"));
    }

    [Fact]
    public async Task TwoMigrationsAtOnce_BothSucceed_AndEachPartIsAppliedOnce()
    {
        var runs = await Task.WhenAll(
            CliRunner.RunAsync("db", "migrate", "--storage", _database.ConnectionString),
            CliRunner.RunAsync("db", "migrate", "--storage", _database.ConnectionString));

        Assert.All(runs, run => Assert.True(run.ExitCode == 0, run.Error));
        var output = string.Join("\n", runs.Select(run => run.Output));
        // One run did the work, the other found it done (the whole-command lock serialises them).
        Assert.Single(runs, run => run.Output.Contains("metadata store: " + MetadataScripts + " migration(s) applied", StringComparison.Ordinal));
        Assert.Single(runs, run => run.Output.Contains("hangfire: schema hangfire created", StringComparison.Ordinal));
        Assert.Single(runs, run => run.Output.Contains("quartz: " + QuartzSchema.Versions.Count + " migration(s) applied", StringComparison.Ordinal));
        Assert.Equal(3, output.Split('\n').Count(line => line.Contains("already current", StringComparison.Ordinal)));
        Assert.Equal((long)MetadataScripts, await ScalarAsync("SELECT COUNT(*) FROM orchestrator.schema_migrations"));
        Assert.Equal((long)QuartzSchema.Versions.Count, await ScalarAsync("SELECT COUNT(*) FROM quartz.schema_version"));
    }

    [Fact]
    public async Task UnreachableServer_Exits1_NamingHostAndPort_NotThePassword()
    {
        var port = FreePort();
        var (exit, output, error) = await CliRunner.RunAsync(
            "db", "migrate", "--storage", $"Host=127.0.0.1;Port={port};Username=someone;Password=hunter2-secret;Database=x;Timeout=5");

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains($"cannot connect to PostgreSQL at 127.0.0.1:{port}", error);
        Assert.DoesNotContain("hunter2-secret", error);
    }

    [Fact]
    public async Task UnknownDatabase_Exits1_WithTheServersReason()
    {
        var missing = new NpgsqlConnectionStringBuilder(_database.ConnectionString) { Database = $"missing_{Guid.NewGuid():N}" }.ConnectionString;

        var (exit, _, error) = await CliRunner.RunAsync("db", "migrate", "--storage", missing);

        Assert.Equal(1, exit);
        Assert.Contains("does not exist", error);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Bogus=1;Password=hunter2-secret", "not a valid PostgreSQL connection string")]
    [InlineData("Host=127.0.0.1;Port=notaport;Password=hunter2-secret", "not a valid PostgreSQL connection string")]
    [InlineData("mysql://somewhere", "neither sqlite:PATH nor a PostgreSQL connection string")]
    public async Task BadStorage_Exits2_SayingWhatIsExpected(string storage, string expected)
    {
        var (exit, output, error) = await CliRunner.RunAsync("db", "migrate", "--storage", storage);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains(expected, error);
        Assert.DoesNotContain("hunter2-secret", error);
    }

    [Fact]
    public async Task Sqlite_MigratesTheMetadataStoreOnly_AndSaysWhy()
    {
        var home = Directory.CreateTempSubdirectory("orchestrator-db-migrate-").FullName;
        try
        {
            var (exit, output, error) = await CliRunner.RunAsync("db", "migrate", "--home", home);
            var again = await CliRunner.RunAsync("db", "migrate", "--home", home);

            Assert.True(exit == 0, error);
            Assert.Contains($"metadata store: {MetadataScripts} migration(s) applied", output);
            Assert.Contains("embedded mode keeps their jobs in memory", output);
            Assert.True(File.Exists(Path.Combine(home, "orchestrator.db")));
            Assert.Equal(0, again.ExitCode);
            Assert.Contains("metadata store: already current", again.Output);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(home, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port; // closed again: nothing listens there
    }

    private async Task<List<string>> TablesAsync()
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname IN ('orchestrator', 'hangfire', 'quartz') ORDER BY 1", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
