using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tasks;

/// <summary>Where ml.drift and ml.performance emit their <c>drift</c> events. The host wires it to the metadata store's
/// event outbox (<c>IEventStore.EmitAsync</c>, idempotent by dedupe key); until it does, nothing is emitted and the
/// task says so in its log.</summary>
public interface IDriftEventSink
{
    /// <summary>False when no event store is wired (the event was not recorded).</summary>
    Task<bool> EmitAsync(NewEvent newEvent, CancellationToken cancellationToken);
}

/// <summary>The default sink of a host without an event store: records nothing.</summary>
public sealed class UnwiredDriftEventSink : IDriftEventSink
{
    public static UnwiredDriftEventSink Instance { get; } = new();

    public Task<bool> EmitAsync(NewEvent newEvent, CancellationToken cancellationToken) => Task.FromResult(false);
}

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
