using System.Collections.Concurrent;
using System.Data.Common;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Orchestrator.Storage.Files;
using Orchestrator.Storage.Sql;

namespace Orchestrator.Storage.Sqlite;

/// <summary>A SQLite file in WAL mode: readers never block the writer, and several processes (standalone and the
/// CLI) share it; a writer waits for another's transaction instead of failing (busy timeout). synchronous=NORMAL
/// keeps every commit durable across a process crash at one fsync per checkpoint rather than per commit.
/// Connections stay open between uses, each with its compiled statements (<see cref="StatementCachingConnection"/>):
/// disposing the database closes them.</summary>
public sealed class SqliteDatabase : SqlDatabase, IAsyncDisposable
{
    /// <summary>Connections kept open while unused; more are closed when handed back.</summary>
    public const int MaxIdleConnections = 8;

    // One writer at a time per file in this process: SQLite's busy handler would otherwise make colliding writers
    // sleep and retry, which costs milliseconds per collision. Other processes still meet the busy timeout.
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> WriteGates = new(StringComparer.Ordinal);

    private readonly string _connectionString;
    private readonly string _path;
    private readonly ConcurrentStack<StatementCachingConnection> _idle = new();
    private readonly Action<StatementCachingConnection> _handBack;
    private volatile bool _disposed;

    /// <param name="path">The database file.</param>
    /// <param name="logger">Told when an existing file had wider permissions than 0600 and was tightened.</param>
    public SqliteDatabase(string path, ILogger? logger = null)
    {
        _path = Path.GetFullPath(path);
        OwnerOnly.CreateFolderIfMissing(Path.GetDirectoryName(_path)!);
        // The file holds every run's conf and the sealed secrets: created 0600 before SQLite opens it (SQLite then
        // gives its -wal and -shm files the database file's mode); files left wider by older versions are tightened.
        OwnerOnly.EnsureFile(_path, logger);
        foreach (var suffix in (string[])["-wal", "-shm", "-journal"])
        {
            OwnerOnly.Tighten(_path + suffix, logger);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();
        _handBack = HandBack;
    }

    public override Assembly MigrationAssembly => typeof(SqliteDatabase).Assembly;

    public override async ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken)
    {
        var gate = WriteGates.GetOrAdd(_path, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Release(gate);
    }

    public override string Describe => $"sqlite:{_path}";

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!File.Exists(_path))
        {
            // The file was deleted or moved: a kept connection would go on writing to the old one, now unreachable.
            // Close them all; a new connection fails (or starts an empty store), so the loss shows at once.
            while (_idle.TryPop(out var orphan))
            {
                orphan.CloseForGood();
            }
        }
        else if (_idle.TryPop(out var idle))
        {
            idle.Lease();
            return idle;
        }

        var connection = new StatementCachingConnection(_connectionString, _handBack);
        try
        {
            await connection.OpenAsync(cancellationToken);
            connection.Lease();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;"; // per connection, kept while open
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            connection.CloseForGood();
            throw;
        }
    }

    /// <summary>Connections open and unused now (for tests).</summary>
    internal int IdleConnections => _idle.Count;

    private void HandBack(StatementCachingConnection connection)
    {
        if (_disposed || _idle.Count >= MaxIdleConnections)
        {
            connection.CloseForGood();
            return;
        }

        _idle.Push(connection);
        if (_disposed && _idle.TryPop(out var late))
        {
            late.CloseForGood(); // disposed meanwhile: nobody else would close it
        }
    }

    /// <summary>Closes the connections kept open; one in use is closed when it is handed back.</summary>
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        while (_idle.TryPop(out var connection))
        {
            connection.CloseForGood();
        }

        return ValueTask.CompletedTask;
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }

    public override async Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;"; // persistent: set once for the file
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
