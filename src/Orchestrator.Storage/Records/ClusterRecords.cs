using Orchestrator.Core.Model;

namespace Orchestrator.Storage.Records;

/// <summary>A held lease: <see cref="Token"/> grows each time another owner takes it, so a write fenced by
/// (owner, token) fails once the lease has passed to someone else, even if the old owner still believes it holds it.</summary>
public sealed record LeaseGrant(string Name, string Owner, long Token, DateTimeOffset AcquiredAt, DateTimeOffset ExpiresAt);

/// <summary>A worker process: where it runs, the queues it serves, how many tasks at once, and its last heartbeat.</summary>
public sealed record WorkerRecord(
    string WorkerId,
    string Host,
    int ProcessId,
    IReadOnlyList<string> Queues,
    int Concurrency,
    DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt,
    DateTimeOffset? StoppedAt = null);

/// <summary>A running try whose worker let its lease run out (the worker died, hung, or lost the database).</summary>
public sealed record ExpiredTry(RunId RunId, TaskId TaskId, int TryNumber, string? WorkerId, DateTimeOffset LeaseUntil);

/// <summary>A worker's account of a finished try, waiting for the run's driver to record it (and decide what
/// follows). <see cref="Output"/> is the task's output as JSON, when it succeeded with one.</summary>
public sealed record TryReport(
    RunId RunId,
    TaskId TaskId,
    int TryNumber,
    string WorkerId,
    string Outcome,
    string? Error,
    bool ConfigurationError,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    string? Output,
    DateTimeOffset ReportedAt)
{
    /// <summary>The downstream task the reporting worker started right after this try, in the report's transaction
    /// (<see cref="ITryReportStore.ReportAsync(TryReport, FollowOn?, CancellationToken)"/>), and its try: the run's
    /// driver adopts that try instead of queueing the task.</summary>
    public TaskId? FollowedTask { get; init; }

    public int? FollowedTry { get; init; }
}

/// <summary>What a worker whose try succeeded may start next in the same slot: the first of <see cref="Candidates"/>
/// (downstream tasks of its queues, all_success, no pool) that is ready in the store once this try counts as a
/// success, started with a lease until <see cref="LeaseUntil"/> — unless a queued task of the worker's
/// <see cref="Queues"/> has a higher priority weight: then that one is claimed first, as usual.</summary>
public sealed record FollowOn(IReadOnlyList<FollowCandidate> Candidates, IReadOnlyList<string> Queues, DateTimeOffset LeaseUntil);

/// <summary>A downstream task and its upstream tasks other than the reporting one: it is ready when all of those
/// succeeded, it was not decided yet (<c>none</c>), and its run is running (never a test run).</summary>
public sealed record FollowCandidate(TaskId TaskId, IReadOnlyList<TaskId> OtherUpstreams);

/// <summary>A report's fate: refused (the try was no longer this worker's), or recorded, with the try it started
/// next on the same worker, if any.</summary>
public sealed record ReportResult(bool Accepted, ClaimedTry? Followed = null);
