using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Execution.LocalRuns;

/// <summary>The outcome of one DAG run executed in this process.</summary>
public sealed record RunResult(
    DagId DagId,
    RunId RunId,
    DagRunState State,
    DateTimeOffset LogicalDate,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    IReadOnlyList<TaskRunSummary> Tasks);

/// <summary>One task's end state in a run. Skipped and upstream_failed tasks have no tries and say why.</summary>
public sealed record TaskRunSummary(
    TaskId TaskId,
    TaskInstanceState State,
    IReadOnlyList<TryRecord> Tries,
    JsonElement? Output,
    string? Reason)
{
    public TimeSpan Duration => Tries.Count == 0 ? TimeSpan.Zero : Tries[^1].EndedAt - Tries[0].StartedAt;
}
