using System.Text.Json;
using Orchestrator.Core.States;
using Orchestrator.Execution.LocalRuns;

namespace Orchestrator.Cli.Output;

/// <summary>DESIGN.md's JSON for a run: {"dagId","runId","state","tasks":[{"taskId","state","tries","durationMs"}]},
/// extended with dates, outputs and reasons.</summary>
internal static class RunResultJson
{
    public static string Serialize(RunResult result) => JsonSerializer.Serialize(new
    {
        dagId = result.DagId.Value,
        runId = result.RunId.Value,
        state = result.State.ToName(),
        logicalDate = result.LogicalDate,
        startedAt = result.StartedAt,
        endedAt = result.EndedAt,
        tasks = result.Tasks.Select(task => new
        {
            taskId = task.TaskId.Value,
            state = task.State.ToName(),
            tries = task.Tries.Count,
            durationMs = (long)Math.Round(task.Duration.TotalMilliseconds),
            output = task.Output,
            reason = task.Reason,
        }),
    }, JsonOutput.Options);
}
