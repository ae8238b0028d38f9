using Orchestrator.Core.Model;
using Orchestrator.Core.States;

namespace Orchestrator.Storage.Records;

/// <summary>How a run came to be.</summary>
public enum RunType
{
    Scheduled,
    Manual,
    Test,
    Event,
}

/// <summary>One DAG run. (DagId, LogicalDate) is unique: never two runs of a DAG for the same logical date.</summary>
public sealed record DagRunRecord(
    RunId RunId,
    DagId DagId,
    string DagVersion,
    DateTimeOffset LogicalDate,
    RunType RunType,
    DagRunState State,
    string Conf,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? EndedAt = null)
{
    public bool IsTest => RunType == RunType.Test;

    /// <summary>The event this run was created for (runs of type <see cref="RunType.Event"/>).</summary>
    public long? EventId { get; init; }
}

/// <summary>Which runs to list: newest logical date first, or oldest first (the order queued runs start in).</summary>
public sealed record RunQuery(DagId? DagId = null, DagRunState? State = null, int Limit = 100, RunType? Type = null, bool OldestFirst = false);

/// <summary>A compare-and-set change of a run's state.</summary>
public sealed record RunTransition(RunId RunId, DagRunState From, DagRunState To, DateTimeOffset At);
