using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tasks;

/// <summary>The drift event both task types emit: the same dedupe key per task of a run, so a retried or re-run try
/// records one event.</summary>
public static class DriftEvent
{
    public static NewEvent Create(TaskContext context, string model, int? version, double share, IReadOnlyList<string> driftedFeatures, long checkId, string reason)
    {
        ArgumentNullException.ThrowIfNull(context);
        var payload = JsonSerializer.Serialize(new { model, version, share, driftedFeatures, checkId, reason }, MlJson.Options);
        return new NewEvent(EventKinds.Drift, model, payload, $"drift:{context.RunId}:{context.TaskId}", context.Time.GetUtcNow())
        {
            SourceDagId = context.DagId.Value,
            SourceRunId = context.RunId.Value,
            SourceTaskId = context.TaskId.Value,
        };
    }
}
