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
    DateTimeOffset ReportedAt);
