using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Model;

namespace Orchestrator.Core.Alerts;

/// <summary>What happened that may fire callbacks. <paramref name="TaskId"/> is null for the run itself (only with
/// <see cref="CallbackTrigger.Failure"/> does that mean "the run failed"); <paramref name="TryNumber"/> is the try that
/// failed, was retried, or produced the verdict; <paramref name="Reason"/> is the error or verdict to show;
/// <paramref name="EventId"/> links a drift alert to its event.</summary>
public sealed record CallbackOccurrence(CallbackTrigger Trigger, string RunId, string? TaskId = null, int? TryNumber = null, string? Reason = null, long? EventId = null);

/// <summary>One alert to record. <paramref name="TargetJson"/> is the webhook as declared (<c>{"connection":"NAME"}</c>
/// or <c>{"url":"…"}</c>), or null to record only.</summary>
public sealed record PlannedAlert(
    CallbackTarget Target,
    string Kind,
    string Severity,
    string Message,
    string DedupeKey,
    string? TargetJson,
    string DagId,
    string RunId,
    string? TaskId,
    long? EventId);

/// <summary>Turns an occurrence into the alerts its callbacks ask for. Pure: the engine records the result in the
/// transaction of the state change (StateChangeBatch.Alerts), so an occurrence replayed after a crash plans the same
/// dedupe keys and records nothing twice.</summary>
public static class CallbackAlerts
{
    /// <summary>Alert kinds as stored and shown.</summary>
    public const string TaskFailed = "taskFailed";
    public const string RunFailed = "runFailed";
    public const string TaskRetry = "taskRetry";
    public const string GateRejected = "gateRejected";
    public const string Drift = "drift";
    public const string Notify = "notify";

    /// <summary>Every alert kind, for checking a filter.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [TaskFailed, RunFailed, TaskRetry, GateRejected, Drift, Notify];

    /// <summary>The task's callbacks for the trigger, then the DAG's. A DAG's <c>onFailure</c> fires on the run's failure
    /// only (task null); its other triggers fire for any task (and for the run when no task is given).</summary>
    public static IReadOnlyList<PlannedAlert> Plan(DagDefinition dag, TaskDefinition? task, CallbackOccurrence occurrence)
    {
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(occurrence);
        if (task is not null && occurrence.TaskId is { } named && named != task.Id.Value)
        {
            throw new ArgumentException($"the occurrence names task '{named}' but the task given is '{task.Id.Value}'", nameof(occurrence));
        }

        var taskId = task?.Id.Value ?? occurrence.TaskId;
        var kind = KindOf(occurrence.Trigger, taskId is null);
        var sources = new List<(string Scope, IReadOnlyList<CallbackTarget> Targets)>();
        if (task is not null)
        {
            sources.Add(("task", task.Callbacks.For(occurrence.Trigger)));
        }

        if (occurrence.Trigger != CallbackTrigger.Failure || taskId is null)
        {
            sources.Add(("dag", dag.Callbacks.For(occurrence.Trigger)));
        }

        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["dag.id"] = dag.Id.Value,
            ["run.id"] = occurrence.RunId,
            ["task.id"] = taskId,
            ["task.tryNumber"] = occurrence.TryNumber?.ToString(CultureInfo.InvariantCulture),
            ["reason"] = occurrence.Reason,
        };
        var planned = new List<PlannedAlert>();
        foreach (var (scope, targets) in sources)
        {
            for (var i = 0; i < targets.Count; i++)
            {
                var target = targets[i];
                var message = target.Message is { } custom ? CallbackMessage.Render(custom, values) : DefaultMessage(kind, dag.Id.Value, taskId, occurrence);
                planned.Add(new PlannedAlert(
                    target, kind, target.Severity, message, DedupeKey(kind, dag.Id.Value, taskId, occurrence, scope, i), TargetJson(target),
                    dag.Id.Value, occurrence.RunId, taskId, occurrence.EventId));
            }
        }

        return planned;
    }

    /// <summary>The declared target as stored on the alert: the connection's name or the URL, never a secret.</summary>
    public static string? TargetJson(CallbackTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target switch
        {
            { Connection: { } connection } => JsonSerializer.Serialize(new Dictionary<string, string> { ["connection"] = connection }),
            { Url: { } url } => JsonSerializer.Serialize(new Dictionary<string, string> { ["url"] = url }),
            _ => null,
        };
    }

    private static string KindOf(CallbackTrigger trigger, bool forRun) => trigger switch
    {
        CallbackTrigger.Failure => forRun ? RunFailed : TaskFailed,
        CallbackTrigger.Retry => TaskRetry,
        CallbackTrigger.GateRejected => GateRejected,
        CallbackTrigger.Drift => Drift,
        _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, "unknown callback trigger"),
    };

    // One key per occurrence and target: the try number tells a task's retries apart, the event id two drift events of
    // one try; scope and index tell apart the targets one occurrence fires.
    private static string DedupeKey(string kind, string dagId, string? taskId, CallbackOccurrence occurrence, string scope, int index) =>
        string.Join('|', kind, dagId, occurrence.RunId, taskId ?? "-",
            occurrence.TryNumber?.ToString(CultureInfo.InvariantCulture) ?? "-",
            occurrence.EventId?.ToString(CultureInfo.InvariantCulture) ?? "-", scope, index.ToString(CultureInfo.InvariantCulture));

    private static string DefaultMessage(string kind, string dagId, string? taskId, CallbackOccurrence occurrence)
    {
        var attempt = occurrence.TryNumber is { } tryNumber ? $", try {tryNumber}" : "";
        var text = kind switch
        {
            RunFailed => $"Run '{occurrence.RunId}' of DAG '{dagId}' failed",
            TaskFailed => $"Task '{taskId}' of DAG '{dagId}' failed (run '{occurrence.RunId}'{attempt})",
            TaskRetry => $"Task '{taskId}' of DAG '{dagId}' failed and will be retried (run '{occurrence.RunId}'{attempt})",
            GateRejected => $"Gate '{taskId}' of DAG '{dagId}' rejected its candidate (run '{occurrence.RunId}')",
            _ => taskId is null
                ? $"Drift detected for DAG '{dagId}' (run '{occurrence.RunId}')"
                : $"Drift detected by '{taskId}' of DAG '{dagId}' (run '{occurrence.RunId}')",
        };
        return occurrence.Reason is { Length: > 0 } reason ? $"{text}: {reason}" : text;
    }
}
