using System.Text.Json;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Queries.Runs;

/// <summary>A run as lists show it. States and run types are the lower-case names used everywhere.</summary>
public sealed record RunSummary(
    string RunId, string DagId, string State, string RunType, DateTimeOffset LogicalDate,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, long? DurationMs)
{
    public static RunSummary Of(DagRunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return new(run.RunId.Value, run.DagId.Value, run.State.ToName(), run.RunType.ToString().ToLowerInvariant(), run.LogicalDate,
            run.StartedAt, run.EndedAt, Durations.Between(run.StartedAt, run.EndedAt));
    }

    /// <summary>The event the run was created for (run type <c>event</c>); null for other runs.</summary>
    public Events.RunEventLink? Event { get; init; }
}

/// <summary>A run as lists show it, with its (masked) conf.</summary>
public sealed record RunWithConf(RunSummary Run, JsonElement Conf);

/// <summary>A run with its (masked) conf and task instances.</summary>
public sealed record RunDetail(
    string RunId, string DagId, string State, string RunType, DateTimeOffset LogicalDate,
    DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, long? DurationMs,
    string DagVersion, JsonElement Conf, IReadOnlyList<TaskInstances.TaskInstanceSummary> TaskInstances)
{
    /// <summary>The event the run was created for (run type <c>event</c>); null for other runs.</summary>
    public Events.RunEventLink? Event { get; init; }
}

internal static class Durations
{
    public static long? Between(DateTimeOffset? start, DateTimeOffset? end) =>
        start is { } s && end is { } e ? (long)(e - s).TotalMilliseconds : null;
}
