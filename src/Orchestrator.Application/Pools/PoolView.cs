using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Pools;

/// <summary>A pool as the CLI, the API and the Pools page show it: its slots and how they are used now.
/// <see cref="Running"/> and <see cref="Queued"/> are slots taken by task instances in those states, <see cref="Waiting"/>
/// the slots asked for by instances waiting in scheduled, <see cref="Open"/> the slots free now (negative when the pool
/// was shrunk below what is in use).</summary>
public sealed record PoolView(
    string Name, int Slots, string? Description, DateTimeOffset UpdatedAt, int Running, int Queued, int Waiting, int Open)
{
    public static PoolView From(PoolRecord pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return new(pool.Name, pool.Slots, pool.Description, pool.UpdatedAt, pool.Running, pool.Queued, pool.Waiting, pool.Open);
    }
}

/// <summary>What a create-or-replace did: the pool as it is now, and whether it was new.</summary>
public sealed record PoolSaved(PoolView Pool, bool Created);
