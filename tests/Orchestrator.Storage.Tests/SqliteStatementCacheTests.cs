using Dapper;
using Microsoft.Data.Sqlite;
using Orchestrator.Storage.Sqlite;
using SQLitePCL;

namespace Orchestrator.Storage.Tests;

/// <summary>SQLite connections stay open between uses with their compiled statements; reused, they behave as fresh.</summary>
public sealed class SqliteStatementCacheTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-stmt-cache-").FullName;
    private SqliteDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = new SqliteDatabase(Path.Combine(_folder, "cache.db"));
        await using var connection = await _database.OpenAsync(default);
        await _database.PrepareAsync(connection, default);
        await connection.ExecuteAsync("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    // Memory SQLite holds in prepared statements on the connection: it stays up while statements are kept.
    private static int StatementMemory(System.Data.Common.DbConnection connection)
    {
        var rc = raw.sqlite3_db_status(((SqliteConnection)connection).Handle, raw.SQLITE_DBSTATUS_STMT_USED, out var current, out _, 0);
        Assert.Equal(raw.SQLITE_OK, rc);
        return current;
    }

    [Fact]
    public async Task TheSameSql_IsCompiledOnce_PerConnection()
    {
        await using var connection = await _database.OpenAsync(default);
        var before = StatementMemory(connection);
        await connection.ExecuteAsync("INSERT INTO items (name) VALUES (@name)", new { name = "a" });
        var afterFirst = StatementMemory(connection);
        await connection.ExecuteAsync("INSERT INTO items (name) VALUES (@name)", new { name = "b" });
        var afterSecond = StatementMemory(connection);
        await connection.ExecuteAsync("SELECT count(*) FROM items");

        Assert.True(afterFirst > before, $"the statement is kept after it ran ({before} → {afterFirst} bytes)");
        Assert.Equal(afterFirst, afterSecond); // run again on the kept statement, not compiled anew
        Assert.True(StatementMemory(connection) > afterSecond);
        Assert.Equal(["a", "b"], await connection.QueryAsync<string>("SELECT name FROM items ORDER BY id"));
    }

    [Fact]
    public async Task ADeletedDatabaseFile_IsNotWrittenThroughKeptConnections()
    {
        var first = await _database.OpenAsync(default);
        await first.ExecuteAsync("INSERT INTO items (name) VALUES (@name)", new { name = "before" });
        await first.DisposeAsync(); // kept open for the next use

        foreach (var file in Directory.GetFiles(_folder, "cache.db*"))
        {
            File.Delete(file); // an operator removed the store (with its WAL); a kept connection still sees the old files
        }

        SqliteConnection.ClearAllPools(); // Microsoft.Data.Sqlite's own pool keeps handles too; this layer is the one tested

        await using var next = await _database.OpenAsync(default);
        Assert.NotSame(first, next);
        // A new, empty database: the lost store shows at once instead of writes vanishing into the deleted file.
        await Assert.ThrowsAsync<SqliteException>(() => next.ExecuteAsync("INSERT INTO items (name) VALUES (@name)", new { name = "after" }));
    }

    [Fact]
    public async Task AConnectionHandedBack_IsReused_WithItsStatementsAndSettings()
    {
        var first = await _database.OpenAsync(default);
        await first.ExecuteAsync("INSERT INTO items (name) VALUES (@name)", new { name = "kept" });
        var kept = StatementMemory(first);
        await first.DisposeAsync();

        await using var second = await _database.OpenAsync(default);
        Assert.Same(first, second);
        Assert.Equal(System.Data.ConnectionState.Open, second.State);
        Assert.Equal(kept, StatementMemory(second));
        Assert.Equal(30000L, await second.ExecuteScalarAsync<long>("PRAGMA busy_timeout"));
        Assert.Equal(1L, await second.ExecuteScalarAsync<long>("PRAGMA synchronous")); // NORMAL
    }

    [Fact]
    public async Task ATransactionLeftOpen_IsRolledBack_BeforeTheConnectionIsReused()
    {
        var first = await _database.OpenAsync(default);
        var transaction = await first.BeginTransactionAsync();
        await first.ExecuteAsync("INSERT INTO items (name) VALUES ('uncommitted')", transaction: transaction);
        await first.DisposeAsync(); // the transaction is neither committed nor disposed

        await using var second = await _database.OpenAsync(default);
        Assert.Equal(0L, await second.ExecuteScalarAsync<long>("SELECT count(*) FROM items"));
        await using var again = await second.BeginTransactionAsync(); // no transaction is left open on it
        await again.CommitAsync();
    }

    [Fact]
    public async Task AReaderLeftOpen_ClosesTheConnectionInsteadOfKeepingIt()
    {
        await using (var seed = await _database.OpenAsync(default))
        {
            await seed.ExecuteAsync("INSERT INTO items (name) VALUES ('x'), ('y')");
        }

        var first = await _database.OpenAsync(default);
        var reader = await first.ExecuteReaderAsync("SELECT name FROM items");
        Assert.True(await reader.ReadAsync());
        await first.DisposeAsync(); // the reader would hold SQLite's read snapshot
        await reader.DisposeAsync();

        await using var second = await _database.OpenAsync(default);
        Assert.NotSame(first, second);
    }

    [Fact]
    public async Task AQueryReadInPart_LeavesNoSnapshotBehind()
    {
        await using (var seed = await _database.OpenAsync(default))
        {
            await seed.ExecuteAsync("INSERT INTO items (name) VALUES ('x'), ('y'), ('z')");
            Assert.Equal("x", await seed.QueryFirstAsync<string>("SELECT name FROM items ORDER BY id")); // one row of three
        }

        await using var writer = await _database.OpenAsync(default);
        await using var other = new SqliteConnection($"Data Source={Path.Combine(_folder, "cache.db")};Pooling=False");
        await other.OpenAsync();
        await other.ExecuteAsync("INSERT INTO items (name) VALUES ('w')");
        // A full checkpoint waits for no reader: busy (the first column) is 0 only if no connection holds a snapshot.
        var (busy, _, _) = await other.QuerySingleAsync<(long, long, long)>("PRAGMA wal_checkpoint(TRUNCATE)");
        Assert.Equal(0, busy);
        Assert.Equal(4L, await writer.ExecuteScalarAsync<long>("SELECT count(*) FROM items"));
    }

    [Fact]
    public async Task ParametersBind_WhateverPrefixTheSqlWritesThem_AndAcrossStatements()
    {
        await using var connection = await _database.OpenAsync(default);
        for (var i = 0; i < 2; i++) // compiled, then kept
        {
            await connection.ExecuteAsync(
                "INSERT INTO items (name) VALUES (:first || @n); INSERT INTO items (name) VALUES ($second || @n)",
                new { first = "colon", second = "dollar", n = i });
        }

        Assert.Equal(["colon0", "dollar0", "colon1", "dollar1"], await connection.QueryAsync<string>("SELECT name FROM items ORDER BY id"));
        var named = new SqliteParameter("@n", 7); // already written with its prefix
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT @n + 1";
        command.Parameters.Add(named);
        Assert.Equal(8L, await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task AStatementThatFailed_RunsAgainCorrectly()
    {
        await using var connection = await _database.OpenAsync(default);
        const string Insert = "INSERT INTO items (name) VALUES (@name)";
        await connection.ExecuteAsync(Insert, new { name = "once" });
        await Assert.ThrowsAsync<SqliteException>(() => connection.ExecuteAsync(Insert, new { name = "once" })); // UNIQUE
        await connection.ExecuteAsync(Insert, new { name = "twice" });
        Assert.Equal(["once", "twice"], await connection.QueryAsync<string>("SELECT name FROM items ORDER BY id"));
    }

    [Fact]
    public async Task ManyDifferentTexts_DoNotGrowTheKeptStatementsWithoutBound()
    {
        await using var connection = await _database.OpenAsync(default);
        var high = 0;
        for (var i = 0; i < 400; i++)
        {
            await connection.ExecuteScalarAsync<long>($"SELECT {i}");
            high = Math.Max(high, StatementMemory(connection));
        }

        var atMost = StatementMemory(connection);
        Assert.True(atMost < high, $"kept statements are dropped on overflow ({atMost} of a high of {high} bytes)");
    }

    [Fact]
    public async Task DisposingTheDatabase_ClosesItsIdleConnections()
    {
        var connection = await _database.OpenAsync(default);
        await connection.DisposeAsync();
        await _database.DisposeAsync();

        Assert.Equal(System.Data.ConnectionState.Closed, connection.State);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _database.OpenAsync(default));
        _database = new SqliteDatabase(Path.Combine(_folder, "cache.db")); // for DisposeAsync
    }
}
