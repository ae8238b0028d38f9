using Orchestrator.Core.Model;
using Orchestrator.Core.Pools;
using Orchestrator.Core.Retries;
using Orchestrator.Core.TriggerRules;
using Orchestrator.Core.Validation;

namespace Orchestrator.Core.Authoring;

/// <summary>Settings a task may declare and a DAG may default: null means "not said here".</summary>
public sealed class TaskSettings
{
    public int? Retries { get; set; }

    public TimeSpan? RetryDelay { get; set; }

    public RetryBackoff? RetryBackoff { get; set; }

    public TimeSpan? MaxRetryDelay { get; set; }

    public bool? RetryJitter { get; set; }

    public TimeSpan? Timeout { get; set; }

    public TriggerRule? TriggerRule { get; set; }

    public string? Queue { get; set; }

    /// <summary>The pool whose slots the task takes while queued or running; it waits in <c>scheduled</c> until
    /// the pool admits it. Null: no pool.</summary>
    public string? Pool { get; set; }

    /// <summary>Slots of the pool the task takes (at least 1; default 1). Needs a pool, said here or in the defaults.</summary>
    public int? PoolSlots { get; set; }

    /// <summary>Own priority among tasks waiting for pool slots (higher first); may be negative. Default 1.</summary>
    public int? PriorityWeight { get; set; }

    /// <summary>How the effective priority is computed from the weights. Default: downstream.</summary>
    public WeightRule? WeightRule { get; set; }

    /// <summary>This task's settings, falling back to <paramref name="defaults"/> for what it leaves unsaid.</summary>
    internal RetryPolicy ResolveRetry(TaskSettings defaults) => new()
    {
        Retries = Retries ?? defaults.Retries ?? 0,
        Delay = RetryDelay ?? defaults.RetryDelay ?? RetryPolicy.DefaultDelay,
        Backoff = RetryBackoff ?? defaults.RetryBackoff ?? Orchestrator.Core.Retries.RetryBackoff.Fixed,
        MaxDelay = MaxRetryDelay ?? defaults.MaxRetryDelay,
        Jitter = RetryJitter ?? defaults.RetryJitter ?? false,
    };

    /// <summary>Reports a bad pool name, a poolSlots below 1, and a poolSlots with no pool to apply to. Each setting
    /// is checked where it is said: the defaults once, a task for what it says itself, so one bad default gives one
    /// error. A task's poolSlots may use the defaults' pool; the defaults' poolSlots needs the defaults' pool.</summary>
    /// <param name="owner">"task 'x'" or "defaults", the start of each message.</param>
    /// <param name="at">Where these settings were declared.</param>
    /// <param name="field">The field path of these settings: "tasks[2]" or "defaults".</param>
    /// <param name="defaults">The DAG's defaults when checking a task; null when checking the defaults themselves.</param>
    /// <param name="errors">Where each problem is added.</param>
    internal void CheckPool(string owner, SourceLocation at, string field, TaskSettings? defaults, List<DagError> errors)
    {
        if (Pool is { } pool && !PoolNames.IsValid(pool))
        {
            errors.Add(new DagError(at.WithField($"{field}.pool"), $"{owner}: '{pool}' is not a pool name; expected {PoolNames.Expected}"));
        }

        if (PoolSlots is not { } slots)
        {
            return;
        }

        if (slots < 1)
        {
            errors.Add(new DagError(at.WithField($"{field}.poolSlots"), $"{owner}: poolSlots must be at least 1, not {slots}"));
        }
        else if (slots > PoolNames.MaxSlots)
        {
            errors.Add(new DagError(at.WithField($"{field}.poolSlots"),
                string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{owner}: poolSlots must be at most {PoolNames.MaxSlots:N0} (the most a pool can have), not {slots}")));
        }
        else if (Pool is null && defaults?.Pool is null)
        {
            var where = defaults is null ? "set pool in the defaults too" : "set the task's pool or a pool in the defaults";
            errors.Add(new DagError(at.WithField($"{field}.poolSlots"), $"{owner}: poolSlots needs a pool; {where}"));
        }
    }
}
