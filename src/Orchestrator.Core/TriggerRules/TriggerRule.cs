namespace Orchestrator.Core.TriggerRules;

/// <summary>When a task runs given the states of its direct upstream tasks. Names and meaning follow Airflow.</summary>
public enum TriggerRule
{
    /// <summary><c>all_success</c>: every upstream succeeded (the default).</summary>
    AllSuccess,
    /// <summary><c>all_failed</c>: every upstream failed or is upstream_failed.</summary>
    AllFailed,
    /// <summary><c>all_done</c>: every upstream finished, whatever its state.</summary>
    AllDone,
    /// <summary><c>one_success</c>: at least one upstream succeeded (runs as soon as one does).</summary>
    OneSuccess,
    /// <summary><c>one_failed</c>: at least one upstream failed or is upstream_failed (runs as soon as one is).</summary>
    OneFailed,
    /// <summary><c>one_done</c>: at least one upstream succeeded or failed.</summary>
    OneDone,
    /// <summary><c>none_failed</c>: no upstream failed or is upstream_failed (succeeded or skipped).</summary>
    NoneFailed,
    /// <summary><c>none_skipped</c>: every upstream finished and none is skipped.</summary>
    NoneSkipped,
    /// <summary><c>none_failed_min_one_success</c>: none failed and at least one succeeded.</summary>
    NoneFailedMinOneSuccess,
    /// <summary><c>all_skipped</c>: every upstream was skipped.</summary>
    AllSkipped,
    /// <summary><c>always</c>: no dependency at all; the task may run at any time.</summary>
    Always,
}

/// <summary>Airflow's snake_case names for <see cref="TriggerRule"/>, used by JSON DAGs, the CLI and the API.</summary>
public static class TriggerRuleNames
{
    private static readonly Dictionary<TriggerRule, string> Names = new()
    {
        [TriggerRule.AllSuccess] = "all_success",
        [TriggerRule.AllFailed] = "all_failed",
        [TriggerRule.AllDone] = "all_done",
        [TriggerRule.OneSuccess] = "one_success",
        [TriggerRule.OneFailed] = "one_failed",
        [TriggerRule.OneDone] = "one_done",
        [TriggerRule.NoneFailed] = "none_failed",
        [TriggerRule.NoneSkipped] = "none_skipped",
        [TriggerRule.NoneFailedMinOneSuccess] = "none_failed_min_one_success",
        [TriggerRule.AllSkipped] = "all_skipped",
        [TriggerRule.Always] = "always",
    };

    private static readonly Dictionary<string, TriggerRule> ByName =
        Names.ToDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal);

    public static IReadOnlyCollection<string> All => Names.Values;

    public static string ToName(this TriggerRule rule) => Names[rule];

    public static bool TryParse(string? name, out TriggerRule rule) => ByName.TryGetValue(name ?? "", out rule);
}
