using System.CommandLine;
using System.Net.Sockets;
using Hangfire.PostgreSql;
using Npgsql;
using Orchestrator.Cli.Hosting;
using Orchestrator.Engine.Scheduling.Clustered;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Cli.Commands;

/// <summary><c>db migrate</c>: creates or upgrades, idempotently, every schema a cluster needs on the
/// <c>--storage</c> database — the metadata store's (schema <c>orchestrator</c>), Hangfire's (<c>hangfire</c>) and
/// Quartz's clustered job store (<c>quartz</c>) — and says per part what it did. On SQLite (embedded mode) only the
/// metadata store has a schema. Exit 0 done, 1 the database failed or cannot be reached, 2 bad options.</summary>
internal static class DbMigrateCommand
{
    // Any constant, distinct from the per-part migration locks: held for the whole command, so two `db migrate`s
    // (two deploys, or a compose file's one-shot service started twice) run one after the other.
    private const long WholeMigrationLockKey = 0x0_5EED_0D8A;

    public static Command Create(CliConsole console)
    {
        var command = new Command("migrate", "Create or upgrade the schemas of the metadata store, Hangfire and Quartz on --storage (idempotent).");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var storage = CommonOptions.StorageOf(parse);
            SqlDatabase database;
            try
            {
                database = MetadataStores.Database(storage, parse.GetValue(CommonOptions.Home)!);
            }
            catch (ArgumentException exception) when (storage?.Contains("Host=", StringComparison.OrdinalIgnoreCase) == true)
            {
                // Npgsql's own words name the keyword or value it refused; the string itself may hold a password.
                await console.Error.WriteLineAsync(
                    $"error: --storage (or ORCHESTRATOR_STORAGE) is not a valid PostgreSQL connection string: {exception.Message}; expected Host=…;Port=…;Username=…;Password=…;Database=…");
                return 2;
            }
            catch (ArgumentException exception)
            {
                await console.Error.WriteLineAsync($"error: {exception.Message}");
                return 2;
            }

            return database switch
            {
                PostgresDatabase postgres => await MigratePostgresAsync(console, postgres, storage!, cancellationToken),
                _ => await MigrateEmbeddedAsync(console, database, cancellationToken),
            };
        });
        return command;
    }

    private static async Task<int> MigrateEmbeddedAsync(CliConsole console, SqlDatabase database, CancellationToken cancellationToken)
    {
        await ReportMetadataAsync(console, database, cancellationToken);
        await console.Output.WriteLineAsync("hangfire, quartz: nothing to migrate (embedded mode keeps their jobs in memory; use a PostgreSQL --storage for a cluster)");
        return 0;
    }

    private static async Task<int> MigratePostgresAsync(CliConsole console, PostgresDatabase database, string connectionString, CancellationToken cancellationToken)
    {
        // PostgresDatabase already parsed the string; Where names the server for messages, never the password.
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var where = $"{builder.Host}:{builder.Port} (database {builder.Database ?? builder.Username})";
        await using var _ = database;
        NpgsqlConnection connection;
        try
        {
            // Unpooled: the session-level lock must end with this command, and a pooled connection's session (with
            // the lock) outlives its Dispose — a second `db migrate` in the same process would wait for ever.
            connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is NpgsqlException or SocketException or TimeoutException)
        {
            await console.Error.WriteLineAsync($"error: cannot connect to PostgreSQL at {where}: {Reason(exception)}");
            return 1;
        }

        await using (connection)
        {
            var part = "metadata store";
            try
            {
                await ExecuteAsync(connection, $"SELECT pg_advisory_lock({WholeMigrationLockKey})", cancellationToken);
                await ReportMetadataAsync(console, database, cancellationToken);

                part = "hangfire";
                var before = await SchemaVersions.HangfireAsync(connection, cancellationToken);
                // Hangfire.PostgreSql's own versioned installer (it sets the search path, so on a connection of its own).
                await using (var hangfire = new NpgsqlConnection(connectionString))
                {
                    await hangfire.OpenAsync(cancellationToken);
                    PostgreSqlObjectsInstaller.Install(hangfire, SchemaVersions.HangfireSchema);
                }

                var after = await SchemaVersions.HangfireAsync(connection, cancellationToken);
                await console.Output.WriteLineAsync(before == after
                    ? $"hangfire: already current (schema {SchemaVersions.HangfireSchema}, version {after})"
                    : $"hangfire: schema {SchemaVersions.HangfireSchema} {(before is null ? "created" : $"upgraded from version {before}")} at version {after}");

                part = "quartz";
                var applied = await QuartzSchema.MigrateAsync(connection, cancellationToken);
                await console.Output.WriteLineAsync(applied == 0
                    ? $"quartz: already current (schema {QuartzSchema.Schema}, version {QuartzSchema.Versions[^1]})"
                    : $"quartz: {applied} migration(s) applied (schema {QuartzSchema.Schema}, now version {QuartzSchema.Versions[^1]})");
                return 0;
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or SocketException or TimeoutException)
            {
                await console.Error.WriteLineAsync($"error: {part} migration on PostgreSQL at {where} failed: {Reason(exception)}");
                return 1;
            }
        }
    }

    private static async Task ReportMetadataAsync(CliConsole console, SqlDatabase database, CancellationToken cancellationToken)
    {
        var before = await SchemaVersions.MetadataAsync(database, cancellationToken);
        // Opening applies what is missing. The store is not disposed: that would dispose the database, which the
        // caller owns and still reads.
        _ = await SqlMetadataStore.OpenAsync(database, TimeProvider.System, cancellationToken);
        var after = await SchemaVersions.MetadataAsync(database, cancellationToken);

        var applied = after.Count - before.Count;
        await console.Output.WriteLineAsync(applied == 0
            ? $"metadata store: already current (version {after.Newest:000}, {database.Describe})"
            : $"metadata store: {applied} migration(s) applied (now version {after.Newest:000}, {database.Describe})");
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The innermost message (a refused socket says more than "Failed to connect"); Npgsql's messages
    /// never carry the password.</summary>
    private static string Reason(Exception exception) =>
        exception switch
        {
            PostgresException postgres => postgres.MessageText,
            { InnerException: { } inner } => $"{exception.Message} ({inner.Message})",
            _ => exception.Message,
        };
}
