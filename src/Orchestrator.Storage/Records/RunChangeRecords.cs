using Orchestrator.Core.Model;
using Orchestrator.Core.States;

namespace Orchestrator.Storage.Records;

/// <summary>Where an operator's change request stands (see <see cref="IRunChangeRequestStore"/>).</summary>
public enum RunChangeStatus
{
    Pending,
    Taken,
    Applied,
    Refused,
    Withdrawn,
}

/// <summary>An operator's clear (<see cref="MarkState"/> null) or mark of a task of a run driven by a cluster's
/// scheduler. <see cref="Outcome"/>: the changed task ids, comma-separated, when applied; the reason when refused.</summary>
public sealed record RunChangeRequest(
    long Id,
    RunId RunId,
    TaskId TaskId,
    bool Downstream,
    TaskInstanceState? MarkState,
    string Reason,
    DateTimeOffset RequestedAt,
    RunChangeStatus Status = RunChangeStatus.Pending,
    string? Outcome = null,
    string? DecidedBy = null,
    DateTimeOffset? DecidedAt = null)
{
    public bool IsMark => MarkState is not null;
}
