using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>Cluster-wide pools: named slot counts shared by every scheduler and worker on the store. A task instance
/// with a pool waits in scheduled until <see cref="AdmitAsync"/> gives it slots; its slots count as taken while it is
/// queued or running (its <c>pool</c> and <c>pool_slots</c> columns), so they free themselves when it ends, however
/// it ends.</summary>
public interface IPoolStore
{
    /// <summary>Every pool with its usage, by name.</summary>
    Task<IReadOnlyList<PoolRecord>> ListAsync(CancellationToken cancellationToken);

    Task<PoolRecord?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates the pool or changes its slots and description. Slots must be ≥ 0 (0 admits nothing).</summary>
    Task SetAsync(string name, int slots, string? description, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Deletes the pool unless task instances are queued, running or waiting in it (checked in the same transaction).</summary>
    Task<PoolDeleteOutcome> DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>The pools some task instance waits for (scheduled with a pool), by name, including names with no pool row.</summary>
    Task<IReadOnlyList<string>> WaitedForAsync(CancellationToken cancellationToken);

    /// <summary>In one transaction holding the pool's row lock (so two schedulers never over-admit): counts the slots
    /// taken, chooses among the waiting instances with <see cref="Core.Pools.PoolAdmissionRule"/> and moves the chosen
    /// ones scheduled → queued (compare-and-set, with a reason naming the pool) for their next try. Empty when the pool
    /// does not exist or is full.</summary>
    Task<IReadOnlyList<PoolAdmission>> AdmitAsync(string pool, DateTimeOffset at, CancellationToken cancellationToken);
}
