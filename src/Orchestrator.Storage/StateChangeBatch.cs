using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>What a finished task changes, applied in ONE transaction: its try ends, its output is stored, its
/// newly decided downstream tasks move on, and maybe the run ends. Every condition holds or nothing is written.</summary>
public sealed record StateChangeBatch(
    TryFinish? FinishTry = null,
    (RunId RunId, TaskId TaskId, string Json)? Output = null,
    IReadOnlyList<TaskTransition>? Transitions = null,
    RunTransition? Run = null)
{
    /// <summary>More finished tries, for a group commit of several completions (applied after <see cref="FinishTry"/>).</summary>
    public IReadOnlyList<TryFinish> MoreFinishedTries { get; init; } = [];

    /// <summary>More outputs, for a group commit (applied after <see cref="Output"/>).</summary>
    public IReadOnlyList<(RunId RunId, TaskId TaskId, string Json)> MoreOutputs { get; init; } = [];

    /// <summary>Workers' reports this change records (<see cref="ITryReportStore"/>): deleted in its transaction, so a
    /// report is recorded once whichever driver reads it.</summary>
    public IReadOnlyList<(RunId RunId, TaskId TaskId, int TryNumber)> ConsumedReports { get; init; } = [];

    /// <summary>The lease the writer must still hold (owner and token) for anything to be written: a scheduler that
    /// lost a run's lease (it stalled, another took the run over) cannot record anything for it any more.</summary>
    public Records.LeaseGrant? Fence { get; init; }

    /// <summary>Events the change emits (a run's success), recorded in its transaction: a crash cannot lose them
    /// nor, the dedupe key being part of the outbox, record them twice.</summary>
    public IReadOnlyList<NewEvent> Events { get; init; } = [];

    /// <summary>Alerts the change raises (callbacks on failure, retry, gate rejection), in its transaction.</summary>
    public IReadOnlyList<NewAlert> Alerts { get; init; } = [];

    /// <summary>A cluster's change request this change applies (<see cref="IRunChangeRequestStore"/>): taken → applied
    /// in its transaction, so applying and deciding happen together or not at all.</summary>
    public RunChangeDecision? DecidesRequest { get; init; }
}

/// <summary>Whether a batch was applied; when not, which condition no longer held (re-read and decide again).</summary>
public sealed record BatchResult(bool Applied, string? FailedCondition = null)
{
    public static BatchResult Success { get; } = new(true);
}
