using System.Data.Common;
using Dapper;

namespace Orchestrator.Storage.Sql;

/// <summary>Runs work on a fresh connection, in a transaction when it writes. Shared by the role stores.</summary>
internal sealed class SqlSession(SqlDatabase database)
{
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

    /// <summary>Commits when <paramref name="work"/> returns true, rolls back when it returns false or throws.</summary>
    public async Task<bool> WriteAsync(Func<DbConnection, DbTransaction, Task<bool>> work, CancellationToken cancellationToken)
    {
        using var gate = await database.EnterWriteAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await work(connection, transaction))
        {
            await transaction.CommitAsync(cancellationToken);
            return true;
        }

        await transaction.RollbackAsync(cancellationToken);
        return false;
    }

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
