using System.Text.Json;
using Orchestrator.Core.Retries;
using Orchestrator.Core.TriggerRules;

namespace Orchestrator.Core.Model;

/// <summary>One task of a DAG, with the DAG's defaults already applied. Immutable once built.</summary>
public sealed class TaskDefinition
{
    /// <summary>The queue used when a task names none.</summary>
    public const string DefaultQueue = "default";

    /// <summary>Queue names are what workers subscribe to (<c>worker --queues a,b</c>) and what Hangfire accepts:
    /// 1–64 lowercase ASCII letters, digits, '_' or '-'.</summary>
    public static bool IsValidQueueName(string? name) =>
        name is { Length: > 0 and <= 64 } && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-');

    public required TaskId Id { get; init; }

    /// <summary>The task type: <c>empty</c>, <c>shell</c>, <c>ml.*</c>, or <see cref="CSharpTaskType"/> for a task class.</summary>
    public required string Type { get; init; }

    /// <summary>The task class (implementing <see cref="Authoring.IDagTask"/>) when <see cref="Type"/> is <see cref="CSharpTaskType"/>.</summary>
    public Type? Implementation { get; init; }

    public IReadOnlyList<TaskId> DependsOn { get; init; } = [];

    /// <summary>When this task runs given its upstream states. Default: <see cref="TriggerRule.AllSuccess"/>.</summary>
    public TriggerRule TriggerRule { get; init; } = TriggerRule.AllSuccess;

    /// <summary>How failed tries are retried. Default: no retries.</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.None;

    /// <summary>Limit for one try; the try is cancelled (and a shell's process tree killed) when it passes. Null: no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The task's arguments, always a JSON object; strings may hold <c>{{ … }}</c> templates.</summary>
    public JsonElement Args { get; init; } = EmptyArgs;

    /// <summary>The worker queue this task goes to. Default: <see cref="DefaultQueue"/>.</summary>
    public string Queue { get; init; } = DefaultQueue;

    /// <summary>The pool whose slots this task takes while queued or running (<c>orchestrator pools set NAME SLOTS</c>);
    /// it waits in <c>scheduled</c> until the pool has room. Null: no pool (only worker concurrency limits it).</summary>
    public string? Pool { get; init; }

    /// <summary>How many of its pool's slots the task takes. At least 1; default 1.</summary>
    public int PoolSlots { get; init; } = 1;

    /// <summary>Its own priority among tasks waiting for pool slots (higher first). Default 1; may be negative.</summary>
    public int PriorityWeight { get; init; } = 1;

    /// <summary>How <see cref="PriorityWeight"/> combines with the weights of related tasks. Default: downstream.</summary>
    public Pools.WeightRule WeightRule { get; init; } = Pools.WeightRule.Downstream;

    /// <summary>Alerts on this task's final failure, retry, gate rejection or drift.</summary>
    public Callbacks Callbacks { get; init; } = Callbacks.None;

    /// <summary>Where the task was declared (file and line), used by every error about it.</summary>
    public SourceLocation Location { get; init; } = SourceLocation.Unknown;

    /// <summary>The <see cref="Type"/> of tasks implemented by a C# class.</summary>
    public const string CSharpTaskType = "csharp";

    public static JsonElement EmptyArgs { get; } = JsonDocument.Parse("{}").RootElement.Clone();
}
