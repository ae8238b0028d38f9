using Orchestrator.Core.Model;

namespace Orchestrator.Storage.Records;

/// <summary>A pool and how its slots are used now: <see cref="Running"/> and <see cref="Queued"/> are slots taken by
/// task instances in those states, <see cref="Waiting"/> the slots asked for by instances waiting in scheduled.</summary>
public sealed record PoolRecord(string Name, int Slots, string? Description, DateTimeOffset UpdatedAt, int Running = 0, int Queued = 0, int Waiting = 0)
{
    /// <summary>Slots free now (negative when the pool was shrunk below what is in use: nothing is admitted until it drains).</summary>
    public int Open => Slots - Running - Queued;
}

/// <summary>A task instance a pool admitted: moved scheduled → queued in the admitting transaction; whoever admitted
/// it dispatches <see cref="TryNumber"/> to <see cref="Queue"/>.</summary>
public sealed record PoolAdmission(RunId RunId, TaskId TaskId, int TryNumber, string Queue, string Pool, int Slots);

public enum PoolDeleteOutcome
{
    Deleted,
    NotFound,

    /// <summary>Task instances are queued, running or waiting in it: nothing was deleted.</summary>
    InUse,
}
