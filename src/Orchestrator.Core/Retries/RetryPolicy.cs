namespace Orchestrator.Core.Retries;

/// <summary>How the wait between tries grows.</summary>
public enum RetryBackoff
{
    /// <summary>Every retry waits <see cref="RetryPolicy.Delay"/>.</summary>
    Fixed,
    /// <summary>Retry n waits <see cref="RetryPolicy.Delay"/> × 2^(n-1), capped at <see cref="RetryPolicy.MaxDelay"/>.</summary>
    Exponential,
}

/// <summary>How a failed try is retried. Immutable; a task copies it when built.</summary>
public sealed record RetryPolicy
{
    /// <summary>The default delay between tries, as in Airflow (5 minutes).</summary>
    public static readonly TimeSpan DefaultDelay = TimeSpan.FromMinutes(5);

    public static RetryPolicy None { get; } = new();

    /// <summary>How many retries after the first try. Default 0: one try in all.</summary>
    public int Retries { get; init; }

    /// <summary>Wait before the first retry. Default: 5 minutes.</summary>
    public TimeSpan Delay { get; init; } = DefaultDelay;

    /// <summary>Default: <see cref="RetryBackoff.Fixed"/>.</summary>
    public RetryBackoff Backoff { get; init; } = RetryBackoff.Fixed;

    /// <summary>Upper bound on any one wait. Null: no bound (Airflow caps at 24 h; so do we when null).</summary>
    public TimeSpan? MaxDelay { get; init; }

    /// <summary>Whether waits are randomised to spread retries of many tasks. Default: false.</summary>
    public bool Jitter { get; init; }

    /// <summary>Total tries allowed: the first plus <see cref="Retries"/>.</summary>
    public int MaxTries => Retries + 1;

    /// <summary>The cap applied when <see cref="MaxDelay"/> is null.</summary>
    public static readonly TimeSpan AbsoluteMaxDelay = TimeSpan.FromDays(1);

    public TimeSpan EffectiveMaxDelay => MaxDelay ?? AbsoluteMaxDelay;
}
