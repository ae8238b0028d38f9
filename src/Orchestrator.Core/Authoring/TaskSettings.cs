using Orchestrator.Core.Retries;
using Orchestrator.Core.TriggerRules;

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

    /// <summary>This task's settings, falling back to <paramref name="defaults"/> for what it leaves unsaid.</summary>
    internal RetryPolicy ResolveRetry(TaskSettings defaults) => new()
    {
        Retries = Retries ?? defaults.Retries ?? 0,
        Delay = RetryDelay ?? defaults.RetryDelay ?? RetryPolicy.DefaultDelay,
        Backoff = RetryBackoff ?? defaults.RetryBackoff ?? Orchestrator.Core.Retries.RetryBackoff.Fixed,
        MaxDelay = MaxRetryDelay ?? defaults.MaxRetryDelay,
        Jitter = RetryJitter ?? defaults.RetryJitter ?? false,
    };
}
