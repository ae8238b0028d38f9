using System.Text.Json;
using Orchestrator.Application.Queries.Runs;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Queries.TaskInstances;

/// <summary>A task instance as a run shows it; start and end are those of the latest try (what the Gantt chart draws).</summary>
public sealed record TaskInstanceSummary(
    string TaskId, string State, int TryNumber, int MaxTries, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt,
    long? DurationMs, string? StateReason, DateTimeOffset UpdatedAt, string Queue)
{
    public static TaskInstanceSummary Of(TaskInstanceRecord task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new(task.TaskId.Value, task.State.ToName(), task.TryNumber, task.MaxTries, task.StartedAt, task.EndedAt,
            Durations.Between(task.StartedAt, task.EndedAt), task.StateReason, task.UpdatedAt, task.Queue);
    }
}

/// <summary>A task instance with its tries, state history and (masked) output. <c>Type</c> is null when the run's
/// DAG version can no longer be read.</summary>
public sealed record TaskInstanceDetail(
    string TaskId, string State, int TryNumber, int MaxTries, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt,
    long? DurationMs, string? StateReason, DateTimeOffset UpdatedAt, string Queue,
    string? Type, IReadOnlyList<TryView> Tries, IReadOnlyList<StateChangeView> History, JsonElement? Output);

/// <summary>One try; <c>Hostname</c> is where its process ran, when recorded.</summary>
public sealed record TryView(int TryNumber, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, string? Outcome, string? Error, string? Hostname);

/// <summary>One recorded state change, with why.</summary>
public sealed record StateChangeView(string From, string To, string? Reason, DateTimeOffset At);

/// <summary>The log lines of a try after <c>after</c>; call again with <c>after = Next</c> until <c>Finished</c>.</summary>
public sealed record LogChunk(IReadOnlyList<LogLineView> Lines, long Next, bool Finished);

/// <summary>One log line and its sequence number (what <c>after</c> refers to).</summary>
public sealed record LogLineView(long Seq, DateTimeOffset At, string Level, string Message);
