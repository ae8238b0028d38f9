using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Alerts;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Alerts;

/// <summary>The alerts a commit raises from the DAG's and tasks' callbacks: a task failing with no tries left, a try
/// failing with another to follow (not an interruption by a stopping engine: nothing failed), an ml.gate not blessing
/// its candidate, the run failing. They go into the commit's own transaction, so a crash neither loses nor repeats them
/// (the planner's dedupe keys name the occurrence).</summary>
public static class CallbackAlertRecords
{
    public const string GateTaskType = "ml.gate";
    private const string InterruptedOutcome = "interrupted";

    public static IReadOnlyList<NewAlert> ForCommit(DagDefinition dag, Func<TaskId, TaskDefinition> task, IEnumerable<TryFinish> finishes, RunTransition? runEnd, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(finishes);
        var alerts = new List<NewAlert>();
        foreach (var finish in finishes)
        {
            var definition = task(finish.TaskId);
            var trigger = finish.NextState switch
            {
                TaskInstanceState.Failed => CallbackTrigger.Failure,
                TaskInstanceState.UpForRetry when finish.Outcome != InterruptedOutcome => CallbackTrigger.Retry,
                TaskInstanceState.Skipped when definition.Type == GateTaskType => CallbackTrigger.GateRejected,
                _ => (CallbackTrigger?)null,
            };
            if (trigger is { } fired)
            {
                var occurrence = new CallbackOccurrence(fired, finish.RunId.Value, finish.TaskId.Value, finish.TryNumber, finish.Error ?? finish.Reason);
                alerts.AddRange(CallbackAlerts.Plan(dag, definition, occurrence).Select(planned => ToNew(planned, at)));
            }
        }

        if (runEnd is { To: DagRunState.Failed })
        {
            alerts.AddRange(CallbackAlerts.Plan(dag, null, new CallbackOccurrence(CallbackTrigger.Failure, runEnd.RunId.Value)).Select(planned => ToNew(planned, at)));
        }

        return alerts;
    }

    /// <summary>The alerts of a drift event its source DAG's (and source task's) <c>onDrift</c> callbacks ask for.</summary>
    public static IReadOnlyList<NewAlert> ForDrift(DagDefinition dag, TaskDefinition? task, EventRecord driftEvent, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(driftEvent);
        var occurrence = new CallbackOccurrence(CallbackTrigger.Drift, driftEvent.SourceRunId ?? $"event-{driftEvent.Id}", task?.Id.Value, null,
            DriftReason(driftEvent), driftEvent.Id);
        return [.. CallbackAlerts.Plan(dag, task, occurrence).Select(planned => ToNew(planned, at))];
    }

    public static NewAlert ToNew(PlannedAlert planned, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(planned);
        return new NewAlert(planned.Kind, planned.Severity, planned.Message, planned.TargetJson, planned.DedupeKey, at)
        {
            DagId = planned.DagId,
            RunId = planned.RunId,
            TaskId = planned.TaskId,
            EventId = planned.EventId,
        };
    }

    /// <summary>What an alert says about a drift event: its kind, how much drifted and which features (or metric), read
    /// from the payload ml.drift and ml.performance write; the subject alone when the payload says less.</summary>
    internal static string DriftReason(EventRecord driftEvent)
    {
        try
        {
            using var payload = JsonDocument.Parse(driftEvent.Payload);
            var root = payload.RootElement;
            var kind = root.TryGetProperty("reason", out var reason) && reason.ValueKind == JsonValueKind.String ? reason.GetString() : "data";
            var share = root.TryGetProperty("share", out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : (double?)null;
            var features = root.TryGetProperty("driftedFeatures", out var list) && list.ValueKind == JsonValueKind.Array
                ? string.Join(", ", list.EnumerateArray().Where(f => f.ValueKind == JsonValueKind.String).Select(f => f.GetString()))
                : "";
            var amount = share is { } s ? $" (share {s.ToString("0.##", CultureInfo.InvariantCulture)})" : "";
            return kind == "performance"
                ? $"live {features} degraded{amount} on '{driftEvent.Subject}'"
                : $"{kind} drift on '{driftEvent.Subject}'{amount}" + (features.Length > 0 ? $": {features}" : "");
        }
        catch (JsonException)
        {
            return $"drift on '{driftEvent.Subject}'";
        }
    }
}
