using System.Text.Json;
using Orchestrator.Core.Durations;
using Orchestrator.Core.Model;
using Orchestrator.Core.Pools;
using Orchestrator.Core.Retries;
using Orchestrator.Core.TriggerRules;

namespace Orchestrator.Core.Authoring;

/// <summary>Declares one task. Returned by <see cref="DagBuilder"/>'s Task methods; every setter returns the builder.</summary>
public sealed class TaskBuilder
{
    private readonly List<string> _dependsOn = [];

    internal TaskBuilder(string id, string type, Type? implementation, SourceLocation location)
    {
        Id = id;
        Type = type;
        Implementation = implementation;
        Location = location;
    }

    public string Id { get; }

    internal string Type { get; }

    internal Type? Implementation { get; }

    internal SourceLocation Location { get; }

    internal JsonElement Args { get; private set; } = TaskDefinition.EmptyArgs;

    /// <summary>This task's own settings; what it leaves null comes from the DAG's defaults.</summary>
    public TaskSettings Settings { get; } = new();

    internal IReadOnlyList<string> Dependencies => _dependsOn;

    internal CallbackList CallbackList { get; } = new();

    /// <summary>Records an alert (and calls its webhook, if any) when this task fails with no tries left.</summary>
    public TaskBuilder OnFailure(CallbackTarget target) => Callback(CallbackTrigger.Failure, target);

    /// <summary>Records an alert when a try of this task fails and another follows.</summary>
    public TaskBuilder OnRetry(CallbackTarget target) => Callback(CallbackTrigger.Retry, target);

    /// <summary>Records an alert when this ml.gate rejects its candidate.</summary>
    public TaskBuilder OnGateRejected(CallbackTarget target) => Callback(CallbackTrigger.GateRejected, target);

    /// <summary>Records an alert when this task (ml.drift) detects drift.</summary>
    public TaskBuilder OnDrift(CallbackTarget target) => Callback(CallbackTrigger.Drift, target);

    public TaskBuilder Callback(CallbackTrigger trigger, CallbackTarget target)
    {
        CallbackList.Add(trigger, target);
        return this;
    }

    /// <summary>Runs this task after <paramref name="upstream"/> (subject to the trigger rule).</summary>
    public TaskBuilder DependsOn(params TaskBuilder[] upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        _dependsOn.AddRange(upstream.Select(task => task.Id));
        return this;
    }

    /// <summary>Runs this task after the tasks with these ids.</summary>
    public TaskBuilder DependsOn(params string[] upstreamIds)
    {
        ArgumentNullException.ThrowIfNull(upstreamIds);
        _dependsOn.AddRange(upstreamIds);
        return this;
    }

    /// <summary>Makes <paramref name="downstream"/> depend on this task; returns the downstream builder so chains read left to right.</summary>
    public TaskBuilder Then(TaskBuilder downstream)
    {
        ArgumentNullException.ThrowIfNull(downstream);
        downstream.DependsOn(this);
        return downstream;
    }

    public TaskBuilder TriggerRule(TriggerRule rule)
    {
        Settings.TriggerRule = rule;
        return this;
    }

    /// <summary>Retries after a failed try, waiting <paramref name="delay"/> (a duration such as "30s") before each.</summary>
    public TaskBuilder Retries(int count, string? delay = null)
    {
        Settings.Retries = count;
        if (delay is not null)
        {
            Settings.RetryDelay = DurationParser.Parse(delay);
        }

        return this;
    }

    public TaskBuilder RetryDelay(TimeSpan delay)
    {
        Settings.RetryDelay = delay;
        return this;
    }

    /// <summary>Doubles the wait after each failed try, capped at <paramref name="maxDelay"/> when given.</summary>
    public TaskBuilder ExponentialBackoff(string? maxDelay = null)
    {
        Settings.RetryBackoff = RetryBackoff.Exponential;
        if (maxDelay is not null)
        {
            Settings.MaxRetryDelay = DurationParser.Parse(maxDelay);
        }

        return this;
    }

    /// <summary>Randomises each wait so that many tasks failing together don't retry together.</summary>
    public TaskBuilder Jitter(bool enabled = true)
    {
        Settings.RetryJitter = enabled;
        return this;
    }

    /// <summary>Cancels a try that runs longer than <paramref name="duration"/> (e.g. "30m").</summary>
    public TaskBuilder Timeout(string duration)
    {
        Settings.Timeout = DurationParser.Parse(duration);
        return this;
    }

    public TaskBuilder Timeout(TimeSpan duration)
    {
        Settings.Timeout = duration;
        return this;
    }

    public TaskBuilder Queue(string queue)
    {
        Settings.Queue = queue;
        return this;
    }

    /// <summary>Makes the task wait in <c>scheduled</c> until <paramref name="name"/> (<c>orchestrator pools set NAME
    /// SLOTS</c>) admits it, taking <paramref name="slots"/> of its slots while queued or running (null: the defaults'
    /// poolSlots, else 1). The pool need not exist yet.</summary>
    public TaskBuilder Pool(string name, int? slots = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        Settings.Pool = name;
        if (slots is not null)
        {
            Settings.PoolSlots = slots;
        }

        return this;
    }

    /// <summary>How many slots of its pool (its own or the defaults') the task takes. At least 1.</summary>
    public TaskBuilder PoolSlots(int slots)
    {
        Settings.PoolSlots = slots;
        return this;
    }

    /// <summary>The task's own priority among tasks waiting for pool slots: higher goes first. May be negative.</summary>
    public TaskBuilder PriorityWeight(int weight)
    {
        Settings.PriorityWeight = weight;
        return this;
    }

    /// <summary>How the effective priority adds up: the task's weight plus its downstream tasks' (default), plus its
    /// upstream tasks', or its own alone.</summary>
    public TaskBuilder WeightRule(WeightRule rule)
    {
        Settings.WeightRule = rule;
        return this;
    }

    /// <summary>Sets the task's arguments from an object or anonymous object, serialised as JSON.</summary>
    public TaskBuilder WithArgs(object args)
    {
        var element = JsonValues.FromObject(args);
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"task '{Id}': args must be an object, not {element.ValueKind}", nameof(args));
        }

        Args = element.Clone();
        return this;
    }
}
