namespace Orchestrator.Core.Model;

/// <summary>What a callback fires on. JSON keys: <c>onFailure</c>, <c>onRetry</c>, <c>onGateRejected</c>, <c>onDrift</c>.</summary>
public enum CallbackTrigger
{
    /// <summary>On a DAG: its run failed. On a task: the task failed with no tries left.</summary>
    Failure,

    /// <summary>A try failed and another follows (the task is up_for_retry).</summary>
    Retry,

    /// <summary>An ml.gate did not bless its candidate.</summary>
    GateRejected,

    /// <summary>An ml.drift (or performance check) detected drift and emitted a drift event.</summary>
    Drift,
}

/// <summary>One callback: a webhook named by a Connection (its secrets stay in the store) or given as a URL, or neither
/// to only record the alert; the message may use the templates of args.</summary>
public sealed record CallbackTarget(string? Connection = null, string? Url = null, string? Message = null, string Severity = "warning");

/// <summary>The callbacks of a DAG or a task, by what fires them.</summary>
public sealed record Callbacks(IReadOnlyDictionary<CallbackTrigger, IReadOnlyList<CallbackTarget>> ByTrigger)
{
    public static Callbacks None { get; } = new(new Dictionary<CallbackTrigger, IReadOnlyList<CallbackTarget>>());

    public IReadOnlyList<CallbackTarget> For(CallbackTrigger trigger) => ByTrigger.GetValueOrDefault(trigger) ?? [];

    public bool IsEmpty => ByTrigger.Values.All(targets => targets.Count == 0);
}
