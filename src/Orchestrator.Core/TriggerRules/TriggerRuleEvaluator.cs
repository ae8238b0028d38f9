namespace Orchestrator.Core.TriggerRules;

/// <summary>Airflow's trigger-rule semantics (trigger_rule_dep): a task is decided as early as its rule allows.
/// "Failed" below counts both failed and upstream_failed upstreams, as Airflow does.</summary>
public static class TriggerRuleEvaluator
{
    public static TriggerRuleDecision Evaluate(TriggerRule rule, UpstreamCounts up)
    {
        if (up.Total == 0 || rule == TriggerRule.Always)
        {
            return TriggerRuleDecision.Run;
        }

        var failed = up.Failed + up.UpstreamFailed;
        var allDone = up.AllDone;
        return rule switch
        {
            TriggerRule.AllSuccess =>
                failed > 0 ? TriggerRuleDecision.UpstreamFailed
                : up.Skipped > 0 ? TriggerRuleDecision.Skip
                : up.Success >= up.Total ? TriggerRuleDecision.Run
                : allDone ? TriggerRuleDecision.Skip // only "removed" upstreams are left: nothing can succeed
                : TriggerRuleDecision.Wait,
            TriggerRule.AllFailed =>
                up.Success > 0 || up.Skipped > 0 ? TriggerRuleDecision.Skip
                : failed >= up.Total ? TriggerRuleDecision.Run
                : allDone ? TriggerRuleDecision.Skip
                : TriggerRuleDecision.Wait,
            TriggerRule.AllDone => allDone ? TriggerRuleDecision.Run : TriggerRuleDecision.Wait,
            TriggerRule.OneSuccess =>
                up.Success > 0 ? TriggerRuleDecision.Run
                : !allDone ? TriggerRuleDecision.Wait
                : up.Skipped >= up.Done ? TriggerRuleDecision.Skip
                : TriggerRuleDecision.UpstreamFailed,
            TriggerRule.OneFailed =>
                failed > 0 ? TriggerRuleDecision.Run
                : allDone ? TriggerRuleDecision.Skip
                : TriggerRuleDecision.Wait,
            TriggerRule.OneDone =>
                up.Success + up.Failed > 0 ? TriggerRuleDecision.Run
                : allDone ? TriggerRuleDecision.Skip
                : TriggerRuleDecision.Wait,
            TriggerRule.NoneFailed =>
                failed > 0 ? TriggerRuleDecision.UpstreamFailed
                : allDone ? TriggerRuleDecision.Run
                : TriggerRuleDecision.Wait,
            TriggerRule.NoneFailedMinOneSuccess =>
                failed > 0 ? TriggerRuleDecision.UpstreamFailed
                : !allDone ? TriggerRuleDecision.Wait
                : up.Success > 0 ? TriggerRuleDecision.Run
                : TriggerRuleDecision.Skip,
            TriggerRule.NoneSkipped =>
                up.Skipped > 0 ? TriggerRuleDecision.Skip
                : allDone ? TriggerRuleDecision.Run
                : TriggerRuleDecision.Wait,
            TriggerRule.AllSkipped =>
                up.Success > 0 || failed > 0 ? TriggerRuleDecision.Skip
                : up.Skipped >= up.Total ? TriggerRuleDecision.Run
                : allDone ? TriggerRuleDecision.Skip
                : TriggerRuleDecision.Wait,
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "unknown trigger rule"),
        };
    }
}
