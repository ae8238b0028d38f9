using System.Text.Json;
using Orchestrator.Application.Queries.Dags;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Secrets.Masking;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Queries.TaskInstances;

/// <summary>A task instance's detail and its logs by try. Outputs are masked like conf; log lines were masked when
/// they were written.</summary>
public sealed class TaskInstanceQueries(IMetadataStore store, StoredDagVersions versions, SensitiveNames sensitiveNames)
{
    /// <summary>The most log lines one chunk carries; a longer log comes in several chunks.</summary>
    public const int MaxChunkLines = 1000;

    /// <summary>The task instance with its tries, history and output. Unknown run or task: NotFound.</summary>
    public async Task<TaskInstanceDetail> GetAsync(RunId runId, TaskId taskId, CancellationToken cancellationToken)
    {
        var (run, task) = await RequireAsync(runId, taskId, cancellationToken);
        var tries = await store.TaskInstances.ListTriesAsync(runId, taskId, cancellationToken);
        var history = await store.TaskInstances.HistoryAsync(runId, taskId, cancellationToken);
        var outputs = await store.Outputs.GetAllAsync(runId, cancellationToken);
        var type = (await versions.GetAsync(run.DagId, run.DagVersion, cancellationToken))?.Definition.Tasks.FirstOrDefault(t => t.Id == taskId)?.Type;
        JsonElement? output = null;
        if (outputs.TryGetValue(taskId, out var json))
        {
            using var masked = JsonDocument.Parse(SensitiveConf.MaskJson(json, sensitiveNames));
            output = masked.RootElement.Clone();
        }

        var summary = TaskInstanceSummary.Of(task);
        return new TaskInstanceDetail(summary.TaskId, summary.State, summary.TryNumber, summary.MaxTries, summary.StartedAt, summary.EndedAt,
            summary.DurationMs, summary.StateReason, summary.UpdatedAt, summary.Queue, type,
            [.. tries.Select(t => new TryView(t.TryNumber, t.StartedAt, t.EndedAt, t.Outcome, t.Error, t.Process?.Host))],
            [.. history.Select(h => new StateChangeView(h.From.ToName(), h.To.ToName(), h.Reason, h.At))],
            output);
    }

    /// <summary>The task instance as a run lists it. Unknown run or task: NotFound.</summary>
    public async Task<TaskInstanceSummary> GetSummaryAsync(RunId runId, TaskId taskId, CancellationToken cancellationToken) =>
        TaskInstanceSummary.Of((await RequireAsync(runId, taskId, cancellationToken)).Task);

    /// <summary>The try's lines after line <paramref name="after"/> (0: from the first). <c>Finished</c> once the try
    /// has ended and this chunk holds its last line. A try number below 1 or a negative <c>after</c>: Invalid; a
    /// try that never started: NotFound.</summary>
    public async Task<LogChunk> LogsAsync(RunId runId, TaskId taskId, int tryNumber, long after, CancellationToken cancellationToken)
    {
        if (tryNumber < 1)
        {
            throw ApplicationProblemException.Invalid($"tryNumber must be 1 or more, not {tryNumber}", "tryNumber");
        }

        if (after < 0)
        {
            throw ApplicationProblemException.Invalid($"after must be 0 or more, not {after}", "after");
        }

        var (_, task) = await RequireAsync(runId, taskId, cancellationToken);
        if (tryNumber > task.TryNumber)
        {
            throw ApplicationProblemException.NotFound($"task '{taskId}' of run '{runId}' has no try {tryNumber} (tries so far: {task.TryNumber})");
        }

        // Decided before reading: the engine writes a try's last lines before it records the end, so once the end is
        // seen, this read has every line (the rule `tasks logs --follow` uses).
        var ended = await HasEndedAsync(task, tryNumber, cancellationToken);
        var lines = await store.Logs.ReadAfterAsync(runId, taskId, tryNumber, after, MaxChunkLines, cancellationToken);
        var next = lines.Count > 0 ? lines[^1].Id : after;
        return new LogChunk([.. lines.Select(l => new LogLineView(l.Id, l.Line.At, l.Line.Level, l.Line.Message))], next,
            ended && lines.Count < MaxChunkLines);
    }

    /// <summary>The try has an end, or the task moved on from it (a later try, or it is no longer running).</summary>
    private async Task<bool> HasEndedAsync(TaskInstanceRecord task, int tryNumber, CancellationToken cancellationToken)
    {
        if (task.TryNumber != tryNumber || task.State != TaskInstanceState.Running)
        {
            return true;
        }

        var tries = await store.TaskInstances.ListTriesAsync(task.RunId, task.TaskId, cancellationToken);
        return tries.FirstOrDefault(t => t.TryNumber == tryNumber)?.EndedAt is not null;
    }

    private async Task<(DagRunRecord Run, TaskInstanceRecord Task)> RequireAsync(RunId runId, TaskId taskId, CancellationToken cancellationToken)
    {
        var run = await store.Runs.GetAsync(runId, cancellationToken) ?? throw ApplicationProblemException.NotFound($"no run '{runId}'");
        var task = (await store.TaskInstances.ListAsync(runId, cancellationToken)).FirstOrDefault(t => t.TaskId == taskId)
            ?? throw ApplicationProblemException.NotFound($"run '{runId}' has no task '{taskId}'");
        return (run, task);
    }
}
