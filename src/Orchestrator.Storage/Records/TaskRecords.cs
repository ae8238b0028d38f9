using Orchestrator.Core.Model;
using Orchestrator.Core.States;

namespace Orchestrator.Storage.Records;

/// <summary>One task of one run. <see cref="TryNumber"/> is the current or last try (0 before the first).</summary>
public sealed record TaskInstanceRecord(
    RunId RunId,
    TaskId TaskId,
    TaskInstanceState State,
    int TryNumber,
    int MaxTries,
    string Queue,
    DateTimeOffset UpdatedAt,
    string? StateReason = null,
    DateTimeOffset? NextTryAt = null,
    DateTimeOffset? StartedAt = null,
    DateTimeOffset? EndedAt = null,
    string? Pool = null,
    int PoolSlots = 1,
    int PriorityWeight = 1);

/// <summary>One try of one task instance, recorded exactly once. <see cref="Process"/> is the OS process group its
/// command ran in (null for tasks without a process, or before it started).</summary>
public sealed record TaskTryRecord(
    RunId RunId,
    TaskId TaskId,
    int TryNumber,
    string? WorkerId,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt = null,
    string? Outcome = null,
    string? Error = null,
    long? DurationMs = null,
    TaskProcess? Process = null)
{
    /// <summary>Until when the try belongs to its worker (a worker process's heartbeat extends it); null without a
    /// lease (the embedded engine's tries).</summary>
    public DateTimeOffset? LeaseUntil { get; init; }
}

/// <summary>A recorded change of a task instance's state, with when and why.</summary>
public sealed record TaskStateChange(RunId RunId, TaskId TaskId, TaskInstanceState From, TaskInstanceState To, string? Reason, DateTimeOffset At);

/// <summary>One stored line of a try's log.</summary>
public sealed record StoredLogLine(DateTimeOffset At, string Level, string Message);

/// <summary>A compare-and-set change of a task instance's state: applied only if it is still in <see cref="From"/>.
/// <see cref="MaxTries"/>, when set, becomes the task's tries allowed (a clear gives its retries back). Going to none
/// forgets the start and end times (the task runs anew).</summary>
public sealed record TaskTransition(
    RunId RunId,
    TaskId TaskId,
    TaskInstanceState From,
    TaskInstanceState To,
    string? Reason,
    DateTimeOffset At,
    DateTimeOffset? NextTryAt = null,
    int? MaxTries = null);

/// <summary>A worker taking up a queued task instance: queued → running and a new try row, both or neither. With
/// <see cref="LeaseUntil"/> the try belongs to the worker until then (its heartbeats extend it); without, it has no
/// lease (the embedded engine, whose workers live and die with it).</summary>
public sealed record TryStart(RunId RunId, TaskId TaskId, int TryNumber, string? WorkerId, DateTimeOffset At, DateTimeOffset? LeaseUntil = null);

/// <summary>The end of a running try: the try row closes and the task moves to <see cref="NextState"/>
/// (success, failed or up_for_retry) — only if that try is still the running one. <see cref="MaxTries"/>, when set,
/// becomes the task's tries allowed (a lost or interrupted try is given back).</summary>
public sealed record TryFinish(
    RunId RunId,
    TaskId TaskId,
    int TryNumber,
    string Outcome,
    string? Error,
    DateTimeOffset At,
    TaskInstanceState NextState,
    string? Reason,
    DateTimeOffset? NextTryAt = null,
    int? MaxTries = null);
