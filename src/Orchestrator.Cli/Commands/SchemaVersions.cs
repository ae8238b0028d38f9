using System.Data.Common;
using Npgsql;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Cli.Commands;

/// <summary>What <c>db migrate</c> reads before and after each part, to say what it did: the metadata store's applied
/// migrations and Hangfire's schema version. Each answers "nothing yet" for a database that has never been migrated.</summary>
internal static class SchemaVersions
{
    public const string HangfireSchema = Orchestrator.Engine.Cluster.ClusterHangfire.Schema;

    /// <summary>The metadata store's applied migrations (rows of <c>schema_migrations</c>), 0 before the first.</summary>
    public static async Task<(int Count, long? Newest)> MetadataAsync(SqlDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var exists = database switch
        {
            SqliteDatabase => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
            // The data source's search path is the store's schema.
            PostgresDatabase => "SELECT COUNT(*) FROM pg_tables WHERE tablename = 'schema_migrations' AND schemaname = current_schema()",
            _ => throw new ArgumentException($"unknown database {database.GetType().Name}", nameof(database)),
        };
        if (Convert.ToInt64(await ScalarAsync(connection, exists, cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return (0, null);
        }

        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*), MAX(version) FROM schema_migrations";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var count = Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
        return (count, reader.IsDBNull(1) ? null : Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Hangfire.PostgreSql's schema version (<c>hangfire.schema</c>), null before it is installed.</summary>
    public static async Task<long?> HangfireAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var exists = await ScalarAsync(connection,
            $"SELECT COUNT(*) FROM pg_tables WHERE schemaname = '{HangfireSchema}' AND tablename = 'schema'", cancellationToken);
        if ((long)exists! == 0)
        {
            return null;
        }

        return await ScalarAsync(connection, $"SELECT MAX(version) FROM \"{HangfireSchema}\".\"schema\"", cancellationToken) is { } version and not DBNull
            ? Convert.ToInt64(version, System.Globalization.CultureInfo.InvariantCulture)
            : null;
    }

    private static async Task<object?> ScalarAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
