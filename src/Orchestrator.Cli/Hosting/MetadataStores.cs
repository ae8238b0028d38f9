using System.CommandLine;
using Orchestrator.Storage;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Cli.Hosting;

/// <summary>Opens the metadata store a command works on: <c>--storage</c> / <c>ORCHESTRATOR_STORAGE</c>
/// (<c>sqlite:PATH</c> or a PostgreSQL connection string), else the SQLite file in the home folder.</summary>
internal static class MetadataStores
{
    public const string SqliteFileName = "orchestrator.db";

    public static Task<SqlMetadataStore> OpenAsync(ParseResult parse, CancellationToken cancellationToken) =>
        OpenAsync(parse.GetValue(CommonOptions.Storage), parse.GetValue(CommonOptions.Home)!, cancellationToken);

    public static Task<SqlMetadataStore> OpenAsync(string? storage, string home, CancellationToken cancellationToken) =>
        SqlMetadataStore.OpenAsync(Database(storage, home), TimeProvider.System, cancellationToken);

    public static SqlDatabase Database(string? storage, string home)
    {
        if (string.IsNullOrWhiteSpace(storage))
        {
            return new SqliteDatabase(Path.Combine(home, SqliteFileName));
        }

        if (storage.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            return new SqliteDatabase(storage["sqlite:".Length..]);
        }

        if (storage.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            return new PostgresDatabase(storage);
        }

        throw new ArgumentException($"--storage '{storage}' is neither sqlite:PATH nor a PostgreSQL connection string (Host=…;Database=…)");
    }
}
