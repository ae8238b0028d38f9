using System.Collections.Concurrent;
using System.Data.Common;

namespace Orchestrator.Storage.Sql;

/// <summary>Group commit for one store's writes. A write that arrives while another batch is being written waits in
/// a queue; the next batch takes everything queued and writes it in ONE transaction, each write inside its own
/// savepoint, so a write that is refused (returns false) or throws undoes only itself. Under load, a commit, a
/// connection and a hand-off between threads are paid per batch instead of per write; an idle store writes at once.
/// Writes are applied in the order they were queued.</summary>
internal sealed class GroupCommit(SqlDatabase database)
{
    // A caller that finds no batch in progress writes the queue itself; it stops after this many batches so that
    // its own caller is not held up for long, and hands the rest to the thread pool.
    private const int BatchesPerCaller = 4;

    // How often a write undone by a deadlock is tried in all before its caller gets the error.
    private const int MaxAttempts = 3;

    private readonly ConcurrentQueue<QueuedWrite> _queue = new();
    private int _writing;

    public async Task<bool> WriteAsync(Func<DbConnection, DbTransaction, Task<bool>> work, CancellationToken cancellationToken)
    {
        var write = new QueuedWrite(work, cancellationToken);
        _queue.Enqueue(write);
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            await WriteQueueAsync(BatchesPerCaller);
        }

        return await write.Done.Task;
    }

    private async Task WriteQueueAsync(int batches)
    {
        while (true)
        {
            for (var i = 0; i < batches && !_queue.IsEmpty; i++)
            {
                await WriteBatchAsync();
            }

            if (!_queue.IsEmpty && batches != int.MaxValue)
            {
                _ = Task.Run(() => WriteQueueAsync(int.MaxValue)); // still writing (_writing stays 1), on another thread
                return;
            }

            Volatile.Write(ref _writing, 0);
            // A write queued after the last look but before the flag was cleared would wait forever: look again.
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private async Task WriteBatchAsync()
    {
        var batch = new List<QueuedWrite>();
        while (_queue.TryDequeue(out var next))
        {
            if (next.CancellationToken.IsCancellationRequested)
            {
                next.Done.TrySetCanceled(next.CancellationToken);
            }
            else
            {
                batch.Add(next);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        var outcomes = new (bool Applied, Exception? Error)[batch.Count];
        try
        {
            if (batch.Count > 1 && database.SavepointsAreRoundTrips && await WriteWithoutSavepointsAsync(batch))
            {
                return;
            }

            using var gate = await database.EnterWriteAsync(CancellationToken.None);
            await using var connection = await database.OpenAsync(CancellationToken.None);
            await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
            var single = batch.Count == 1; // the common idle case: the transaction itself is the savepoint
            for (var i = 0; i < batch.Count; i++)
            {
                outcomes[i] = single ? await RunAsync(batch[i], connection, transaction) : await RunInSavepointAsync(batch[i], connection, transaction);
            }

            if (single && !outcomes[0].Applied)
            {
                await RollbackAfterAsync(transaction, outcomes[0].Error);
            }
            else
            {
                await transaction.CommitAsync(CancellationToken.None);
            }
        }
        catch (Exception exception)
        {
            // The transaction itself failed (connection, commit): nothing in it was written. A write that failed on
            // its own keeps its error (the connection breaking under it says more than the commit that followed).
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetException(outcomes[i].Error ?? exception);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i].Error is DbException { SqlState: "40P01" or "40001" } && batch[i].Attempts < MaxAttempts)
            {
                // A deadlock (or serialization failure) undid only this write: it runs again in a later batch, by
                // which time the other transaction has ended. Nothing of it was written.
                batch[i].Attempts++;
                _queue.Enqueue(batch[i]);
            }
            else if (outcomes[i].Error is { } error)
            {
                batch[i].Done.TrySetException(error);
            }
            else
            {
                batch[i].Done.TrySetResult(outcomes[i].Applied);
            }
        }
    }

    /// <summary>The batch's writes one after another in one transaction, with no savepoint between them (each costs
    /// two round trips on PostgreSQL): committed when every write applied. Otherwise nothing is kept and false is
    /// returned, and the caller writes the batch again with a savepoint per write, so a refused or failing write still
    /// undoes only itself. Writes are run again after a deadlock anyway, so running one twice is safe.</summary>
    private async Task<bool> WriteWithoutSavepointsAsync(List<QueuedWrite> batch)
    {
        using var gate = await database.EnterWriteAsync(CancellationToken.None);
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
        foreach (var write in batch)
        {
            var (applied, error) = await RunAsync(write, connection, transaction);
            if (!applied || error is not null)
            {
                await RollbackAfterAsync(transaction, error);
                return false;
            }
        }

        await transaction.CommitAsync(CancellationToken.None);
        foreach (var write in batch)
        {
            write.Done.TrySetResult(true);
        }

        return true;
    }

    private static async Task<(bool, Exception?)> RunAsync(QueuedWrite write, DbConnection connection, DbTransaction transaction)
    {
        try
        {
            return (await write.Work(connection, transaction), null);
        }
        catch (Exception exception)
        {
            return (false, exception);
        }
    }

    private static async Task<(bool, Exception?)> RunInSavepointAsync(QueuedWrite write, DbConnection connection, DbTransaction transaction)
    {
        await transaction.SaveAsync("queued_write", CancellationToken.None);
        var (applied, error) = await RunAsync(write, connection, transaction);
        if (applied)
        {
            await transaction.ReleaseAsync("queued_write", CancellationToken.None);
        }
        else
        {
            try
            {
                await transaction.RollbackAsync("queued_write", CancellationToken.None);
                await transaction.ReleaseAsync("queued_write", CancellationToken.None);
            }
            catch (Exception) when (error is not null)
            {
                // The write's own error broke the connection (the database went away): that error is the one to
                // report; the batch's next statement or its commit fails on the broken connection anyway.
            }
        }

        return (applied, error);
    }

    /// <summary>Undoes a single write's transaction; when the write failed because the connection broke, the undo
    /// fails too, and the write's error is the one its caller gets.</summary>
    private static async Task RollbackAfterAsync(DbTransaction transaction, Exception? error)
    {
        try
        {
            await transaction.RollbackAsync(CancellationToken.None);
        }
        catch (Exception) when (error is not null)
        {
            // Nothing was written: the transaction dies with its connection.
        }
    }

    private sealed class QueuedWrite(Func<DbConnection, DbTransaction, Task<bool>> work, CancellationToken cancellationToken)
    {
        public Func<DbConnection, DbTransaction, Task<bool>> Work { get; } = work;

        public CancellationToken CancellationToken { get; } = cancellationToken;

        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Attempts { get; set; } = 1;
    }
}
