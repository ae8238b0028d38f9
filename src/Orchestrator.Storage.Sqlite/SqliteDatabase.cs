using System.Data.Common;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Orchestrator.Storage.Sql;

namespace Orchestrator.Storage.Sqlite;

/// <summary>A SQLite file in WAL mode: readers never block the writer, and several processes (standalone and the
/// CLI) share it; a writer waits for another's transaction instead of failing (busy timeout). synchronous=NORMAL
/// keeps every commit durable across a process crash at one fsync per checkpoint rather than per commit.</summary>
public sealed class SqliteDatabase : SqlDatabase
{
    private readonly string _connectionString;
    private readonly string _path;

    public SqliteDatabase(string path)
    {
        _path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public override Assembly MigrationAssembly => typeof(SqliteDatabase).Assembly;

    public override string Describe => $"sqlite:{_path}";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;";
        await command.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public override async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;"; // persistent: set once for the file
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
