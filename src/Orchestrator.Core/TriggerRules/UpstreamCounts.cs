namespace Orchestrator.Core.TriggerRules;

/// <summary>How many direct upstream tasks are in each finished state; what a trigger rule looks at.</summary>
public readonly record struct UpstreamCounts(
    int Total,
    int Success = 0,
    int Failed = 0,
    int Skipped = 0,
    int UpstreamFailed = 0,
    int Removed = 0)
{
    /// <summary>Upstream tasks that reached a final state (Airflow counts removed as done).</summary>
    public int Done => Success + Failed + Skipped + UpstreamFailed + Removed;

    public bool AllDone => Done >= Total;
}

/// <summary>What a trigger rule says about a task at this moment.</summary>
public enum TriggerRuleDecision
{
    /// <summary>Not decided yet: more upstream tasks must finish.</summary>
    Wait,
    /// <summary>The rule is met: schedule the task.</summary>
    Run,
    /// <summary>The rule can never be met because of skips/successes: mark it skipped.</summary>
    Skip,
    /// <summary>The rule can never be met because of failures: mark it upstream_failed.</summary>
    UpstreamFailed,
}
