using System.CommandLine;
using Microsoft.Extensions.Logging;
using Orchestrator.Secrets.Encryption;
using Orchestrator.Storage;
using Orchestrator.Storage.Files;
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
        OpenAsync(CommonOptions.StorageOf(parse), parse.GetValue(CommonOptions.Home)!, cancellationToken);

    public static Task<SqlMetadataStore> OpenAsync(string? storage, string home, CancellationToken cancellationToken) =>
        SqlMetadataStore.OpenAsync(Database(storage, home), TimeProvider.System, cancellationToken);

    public static SqlDatabase Database(string? storage, string home)
    {
        if (string.IsNullOrWhiteSpace(storage))
        {
            // The home holds the database and the secret key: 0700, tightened if it was left wider.
            OwnerOnly.EnsureFolder(Path.GetFullPath(home), Warnings);
            return new SqliteDatabase(Path.Combine(home, SqliteFileName), Warnings);
        }

        if (storage.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            return new SqliteDatabase(storage["sqlite:".Length..], Warnings);
        }

        if (IsPostgres(storage))
        {
            return new PostgresDatabase(storage);
        }

        throw new ArgumentException($"--storage '{storage}' is neither sqlite:PATH nor a PostgreSQL connection string (Host=…;Database=…)");
    }

    /// <summary>Whether <c>--storage</c> names a PostgreSQL database (a connection string) rather than SQLite.</summary>
    public static bool IsPostgres(string? storage) =>
        storage is not null && !storage.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase) && storage.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>The cipher for Variables and Connections: <c>ORCHESTRATOR_SECRET_KEY</c>, else the home's
    /// <c>secret.key</c> (created 0600 on first use).</summary>
    public static SecretCipher Cipher(ParseResult parse) => SecretCipher.ForHome(parse.GetValue(CommonOptions.Home)!, Warnings);

    /// <summary>Where permission fixes and key creation are reported: stderr, so stdout stays clean for JSON.</summary>
    private static ILogger Warnings { get; } = new StderrLogger();

    internal sealed class StderrLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            Console.Error.WriteLine($"{(logLevel >= LogLevel.Warning ? "warning" : "note")}: {formatter(state, exception)}");
        }
    }
}

/// <summary>Logs of a command's host: warnings and notes on stderr, as "warning: …" and "note: …".</summary>
internal sealed class StderrLoggerProvider : ILoggerProvider
{
    private readonly MetadataStores.StderrLogger _logger = new();

    public ILogger CreateLogger(string categoryName) => _logger;

    public void Dispose()
    {
    }
}
