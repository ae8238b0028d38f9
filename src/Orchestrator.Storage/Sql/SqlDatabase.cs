using System.Data.Common;
using System.Reflection;

namespace Orchestrator.Storage.Sql;

/// <summary>What differs between backends: how a connection is opened and set up, where the migration scripts
/// are, and how concurrent migrators are kept apart. Everything else is shared SQL.</summary>
public abstract class SqlDatabase
{
    /// <summary>Opens a connection ready for use (pragmas, search path).</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>The assembly holding this backend's <c>Migrations/NNN_name.sql</c> resources.</summary>
    public abstract Assembly MigrationAssembly { get; }

    /// <summary>Runs before migrations, outside their transaction (e.g. create the schema).</summary>
    public virtual Task PrepareAsync(DbConnection connection, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Keeps two processes from migrating at once, inside the migration transaction.</summary>
    public virtual Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Entered around every write transaction; released by disposing the result. A backend with a single
    /// writer (SQLite) queues this process's writers here instead of letting them collide on the file lock.</summary>
    public virtual ValueTask<IDisposable?> EnterWriteAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IDisposable?>(null);

    /// <summary>Whether a savepoint costs a round trip to a server (a group commit then first tries its batch without
    /// one per write).</summary>
    public virtual bool SavepointsAreRoundTrips => false;

    /// <summary>Appended to a SELECT that must lock the rows it reads until the transaction ends (" FOR UPDATE"); empty
    /// where the transaction holds the whole database anyway (SQLite's single writer).</summary>
    public virtual string ForUpdate => "";

    /// <summary>As <see cref="ForUpdate"/>, skipping rows another transaction holds (" FOR UPDATE SKIP LOCKED").</summary>
    public virtual string ForUpdateSkipLocked => "";

    /// <summary>The wake-ups between the processes on this database. Default: within this process only.</summary>
    public virtual IStoreSignals CreateSignals() => new InProcessSignals();

    /// <summary>Where the data is, for messages (never includes a password).</summary>
    public abstract string Describe { get; }
}
