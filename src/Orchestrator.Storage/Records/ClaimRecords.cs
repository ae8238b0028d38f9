using Orchestrator.Core.Model;

namespace Orchestrator.Storage.Records;

/// <summary>A worker asking for up to <see cref="Limit"/> queued task instances of its <see cref="Queues"/>: each
/// claimed one starts its next try on <see cref="WorkerId"/> with a lease until <see cref="LeaseUntil"/>.</summary>
public sealed record QueuedClaim(IReadOnlyList<string> Queues, int Limit, string WorkerId, DateTimeOffset At, DateTimeOffset LeaseUntil);

/// <summary>A try a worker claimed: its task instance is now running that try on the worker. <see cref="MaxTries"/>
/// is the instance's, read in the claim, so the worker need not read the instance again.</summary>
public sealed record ClaimedTry(RunId RunId, TaskId TaskId, int TryNumber, int MaxTries);
