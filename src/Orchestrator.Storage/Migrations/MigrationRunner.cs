using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Orchestrator.Storage.Sql;

namespace Orchestrator.Storage.Migrations;

/// <summary>Applies a backend's numbered SQL scripts (<c>Migrations/001_initial.sql</c>, …) that are not yet
/// recorded in <c>schema_migrations</c>, each in its own transaction, under the backend's migration lock.</summary>
internal static partial class MigrationRunner
{
    public static async Task MigrateAsync(SqlDatabase database, TimeProvider time, CancellationToken cancellationToken)
    {
        var scripts = Scripts(database);
        await using var connection = await database.OpenAsync(cancellationToken);
        await database.PrepareAsync(connection, cancellationToken);
        await using (var setup = await connection.BeginTransactionAsync(cancellationToken))
        {
            // Under the lock: two processes starting at once must not both create the table.
            await database.LockMigrationsAsync(connection, setup, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
                transaction: setup, cancellationToken: cancellationToken));
            await setup.CommitAsync(cancellationToken);
        }

        foreach (var (version, name, sql) in scripts)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await database.LockMigrationsAsync(connection, transaction, cancellationToken);
            var applied = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM schema_migrations WHERE version = @version", new { version = (long)version }, transaction, cancellationToken: cancellationToken));
            if (applied > 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                continue;
            }

            try
            {
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                throw new InvalidOperationException($"migration {name} failed on {database.Describe}: {exception.Message}", exception);
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @at)",
                new { version = (long)version, at = Ms.Of(time.GetUtcNow()) },
                transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }
    }

    public static async Task<IReadOnlyList<int>> AppliedAsync(SqlDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var versions = await connection.QueryAsync<long>(new CommandDefinition("SELECT version FROM schema_migrations ORDER BY version", cancellationToken: cancellationToken));
        return [.. versions.Select(v => (int)v)];
    }

    private static List<(int Version, string Name, string Sql)> Scripts(SqlDatabase database)
    {
        var assembly = database.MigrationAssembly;
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

    [GeneratedRegex(@"Migrations\.(?<name>(?<version>\d{3})_\w+)\.sql$")]
    private static partial Regex ScriptName();
}
