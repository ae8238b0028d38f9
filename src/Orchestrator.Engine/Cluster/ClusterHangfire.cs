using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;

namespace Orchestrator.Engine.Cluster;

/// <summary>Hangfire's job storage on the cluster's PostgreSQL, in its own schema (<c>hangfire</c>), shared by the
/// schedulers (which enqueue) and the workers (which fetch).</summary>
public static class ClusterHangfire
{
    public const string Schema = "hangfire";

    public static JobStorage CreateStorage(ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var storageOptions = new PostgreSqlStorageOptions
        {
            SchemaName = Schema,
            // `db migrate` creates the schema; a process started first creates it too (Hangfire locks its own install).
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = options.QueuePollInterval,
            // A job fetched by a worker that died is handed out again after this long.
            InvisibilityTimeout = TimeSpan.FromMinutes(5),
            UseSlidingInvisibilityTimeout = true,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(options.ConnectionString, storageOptions), storageOptions);
    }
}
