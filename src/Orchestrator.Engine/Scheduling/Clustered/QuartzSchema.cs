using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Orchestrator.Engine.Scheduling.Clustered;

/// <summary>Quartz's AdoJobStore tables in the PostgreSQL schema <c>quartz</c>. Quartz only checks its tables at
/// start, it never creates or upgrades them, so the numbered scripts under <c>Sql/</c> are applied here (by
/// <c>orchestrator db migrate</c>), each once, recorded in <c>quartz.schema_version</c>.</summary>
public static partial class QuartzSchema
{
    public const string Schema = "quartz";

    /// <summary>The job store's table prefix: schema-qualified, so Quartz's statements reach <c>quartz.qrtz_*</c>
    /// whatever the connection's search path is.</summary>
    public const string TablePrefix = "quartz.qrtz_";

    // Any constant, distinct from the metadata store's: two processes migrating at once wait for each other.
    private const long LockKey = 0x0_5EED_0A27;

    /// <summary>The versions the scripts bring the schema to, in order.</summary>
    public static IReadOnlyList<int> Versions => [.. Scripts().Select(s => s.Version)];

    /// <summary>Applies every script not yet recorded; returns how many it applied (0: already current).</summary>
    public static async Task<int> MigrateAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using (var setup = await connection.BeginTransactionAsync(cancellationToken))
        {
            await ExecuteAsync(connection, setup, $"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
            await ExecuteAsync(connection, setup, $"""
                CREATE SCHEMA IF NOT EXISTS {Schema};
                CREATE TABLE IF NOT EXISTS {Schema}.schema_version (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, cancellationToken);
            await setup.CommitAsync(cancellationToken);
        }

        var applied = 0;
        foreach (var (version, name, sql) in Scripts())
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
            await using (var check = new NpgsqlCommand($"SELECT COUNT(*) FROM {Schema}.schema_version WHERE version = @version", connection, transaction))
            {
                check.Parameters.AddWithValue("version", version);
                if ((long)(await check.ExecuteScalarAsync(cancellationToken))! > 0)
                {
                    continue; // disposing rolls the empty transaction back
                }
            }

            try
            {
                await ExecuteAsync(connection, transaction, sql, cancellationToken);
            }
            catch (PostgresException exception)
            {
                throw new InvalidOperationException($"Quartz schema script {name} failed: {exception.MessageText}", exception);
            }

            await using (var record = new NpgsqlCommand($"INSERT INTO {Schema}.schema_version (version, name) VALUES (@version, @name)", connection, transaction))
            {
                record.Parameters.AddWithValue("version", version);
                record.Parameters.AddWithValue("name", name);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            applied++;
        }

        return applied;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<(int Version, string Name, string Sql)> Scripts()
    {
        var assembly = typeof(QuartzSchema).Assembly;
        var scripts = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ScriptName().Match(resource);
            if (!match.Success)
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add((int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture), match.Groups["name"].Value, reader.ReadToEnd()));
        }

        return [.. scripts.OrderBy(script => script.Item1)];
    }

    [GeneratedRegex(@"Scheduling\.Clustered\.Sql\.(?<name>(?<version>\d{3})_\w+)\.sql$")]
    private static partial Regex ScriptName();
}
