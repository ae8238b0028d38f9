using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace Orchestrator.Engine.Cluster;

/// <summary>Hangfire's job storage on the cluster's PostgreSQL, in its own schema (<c>hangfire</c>), shared by the
/// schedulers (which enqueue) and the workers (which fetch).</summary>
public static class ClusterHangfire
{
    public const string Schema = "hangfire";

    /// <summary>Fails with what to do when `db migrate` has not created Hangfire's tables on this database.</summary>
    public static async Task EnsureMigratedAsync(ClusterOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var connection = new Npgsql.NpgsqlConnection(options.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new Npgsql.NpgsqlCommand($"SELECT to_regclass('{Schema}.job') IS NOT NULL", connection);
        if (await command.ExecuteScalarAsync(cancellationToken) is not true)
        {
            throw new InvalidOperationException(
                $"Hangfire's tables are not in schema '{Schema}' of this database: run `orchestrator db migrate` on it first (once, before the schedulers and workers start)");
        }
    }

    public static JobStorage CreateStorage(ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = Schema,
            // `db migrate` creates the schema, under its lock: two processes installing it at once on a fresh
            // database collide (measured), so the roles never install it themselves.
            PrepareSchemaIfNecessary = false,
            // An enqueue NOTIFYs the idle workers of every process; the poll is the fallback.
            EnableLongPolling = true,
            QueuePollInterval = options.QueuePollInterval,
            // A job fetched by a worker that died is handed out again after this long.
            InvisibilityTimeout = TimeSpan.FromMinutes(5),
            UseSlidingInvisibilityTimeout = true,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(options.ConnectionString, storageOptions), storageOptions);
    }
}
