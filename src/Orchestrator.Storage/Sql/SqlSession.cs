using System.Data.Common;
using Dapper;

namespace Orchestrator.Storage.Sql;

/// <summary>Runs reads on a fresh connection and writes through the store's group commit. Shared by the role stores.</summary>
internal sealed class SqlSession(SqlDatabase database)
{
    private readonly GroupCommit _writes = new(database);

    /// <summary>What differs between backends, for SQL that needs it (row locks).</summary>
    public SqlDatabase Database => database;

    static SqlSession()
    {
        // Columns are snake_case, row classes PascalCase.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public async Task<T> ReadAsync<T>(Func<DbConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await work(connection);
    }

    /// <summary>Keeps what <paramref name="work"/> wrote when it returns true; undoes it when it returns false or
    /// throws. The work may share its transaction with other writes (group commit), so it must not commit itself.</summary>
    public Task<bool> WriteAsync(Func<DbConnection, DbTransaction, Task<bool>> work, CancellationToken cancellationToken) =>
        _writes.WriteAsync(work, cancellationToken);

    public Task WriteAsync(Func<DbConnection, DbTransaction, Task> work, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await work(connection, transaction);
            return true;
        }, cancellationToken);

    public static CommandDefinition Command(string sql, object? parameters, DbTransaction? transaction, CancellationToken cancellationToken) =>
        new(sql, parameters, transaction, cancellationToken: cancellationToken);
}

/// <summary>Timestamps are stored as Unix milliseconds (UTC) in both backends, so the SQL is the same.</summary>
internal static class Ms
{
    public static long Of(DateTimeOffset at) => at.ToUnixTimeMilliseconds();

    public static long? Of(DateTimeOffset? at) => at?.ToUnixTimeMilliseconds();

    public static DateTimeOffset At(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? At(long? ms) => ms is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
}
