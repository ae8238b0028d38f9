using System.Text.Json;

namespace Orchestrator.Application.Queries.Events;

/// <summary>Where an event came from: the DAG, run and task that emitted it (any may be null).</summary>
public sealed record EventSource(string? DagId, string? RunId, string? TaskId);

/// <summary>A run an event created, as the event shows it.</summary>
public sealed record TriggeredRun(string DagId, string RunId, string State);

/// <summary>An event with its (masked) payload and the runs it triggered.</summary>
public sealed record EventView(
    long Id, string Kind, string Subject, JsonElement Payload, DateTimeOffset CreatedAt, EventSource Source,
    DateTimeOffset? DeliveredAt, IReadOnlyList<TriggeredRun> TriggeredRuns);

/// <summary>The event a run was created for, as the run shows it.</summary>
public sealed record RunEventLink(long Id, string Kind, string Subject);
