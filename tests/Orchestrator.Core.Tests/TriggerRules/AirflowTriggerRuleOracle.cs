using Orchestrator.Core.TriggerRules;

namespace Orchestrator.Core.Tests.TriggerRules;

/// <summary>Airflow's trigger_rule_dep written out independently of the evaluator, as two questions per rule:
/// is the rule already met, and has it become impossible (and then, skipped or upstream_failed)?
/// "failed" here is failed + upstream_failed, as Airflow counts it for the *_failed rules.</summary>
internal static class AirflowTriggerRuleOracle
{
    public static TriggerRuleDecision Decide(TriggerRule rule, int unfinished, int success, int failed, int skipped, int upstreamFailed)
    {
        var total = unfinished + success + failed + skipped + upstreamFailed;
        var anyFailure = failed + upstreamFailed > 0;
        var allDone = unfinished == 0;
        if (total == 0)
        {
            return TriggerRuleDecision.Run;
        }

        switch (rule)
        {
            case TriggerRule.Always:
                return TriggerRuleDecision.Run;
            case TriggerRule.AllSuccess:
                if (anyFailure) return TriggerRuleDecision.UpstreamFailed;
                if (skipped > 0) return TriggerRuleDecision.Skip;
                return success == total ? TriggerRuleDecision.Run : TriggerRuleDecision.Wait;
            case TriggerRule.AllFailed:
                if (success > 0 || skipped > 0) return TriggerRuleDecision.Skip;
                return failed + upstreamFailed == total ? TriggerRuleDecision.Run : TriggerRuleDecision.Wait;
            case TriggerRule.AllDone:
                return allDone ? TriggerRuleDecision.Run : TriggerRuleDecision.Wait;
            case TriggerRule.OneSuccess:
                if (success > 0) return TriggerRuleDecision.Run;
                if (!allDone) return TriggerRuleDecision.Wait;
                return skipped == total ? TriggerRuleDecision.Skip : TriggerRuleDecision.UpstreamFailed;
            case TriggerRule.OneFailed:
                if (anyFailure) return TriggerRuleDecision.Run;
                return allDone ? TriggerRuleDecision.Skip : TriggerRuleDecision.Wait;
            case TriggerRule.OneDone:
                if (success + failed > 0) return TriggerRuleDecision.Run;
                return allDone ? TriggerRuleDecision.Skip : TriggerRuleDecision.Wait;
            case TriggerRule.NoneFailed:
                if (anyFailure) return TriggerRuleDecision.UpstreamFailed;
                return allDone ? TriggerRuleDecision.Run : TriggerRuleDecision.Wait;
            case TriggerRule.NoneFailedMinOneSuccess:
                if (anyFailure) return TriggerRuleDecision.UpstreamFailed;
                if (!allDone) return TriggerRuleDecision.Wait;
                return skipped == total ? TriggerRuleDecision.Skip : TriggerRuleDecision.Run;
            case TriggerRule.NoneSkipped:
                if (skipped > 0) return TriggerRuleDecision.Skip;
                return allDone ? TriggerRuleDecision.Run : TriggerRuleDecision.Wait;
            case TriggerRule.AllSkipped:
                if (success > 0 || anyFailure) return TriggerRuleDecision.Skip;
                return skipped == total ? TriggerRuleDecision.Run : TriggerRuleDecision.Wait;
            default:
                throw new ArgumentOutOfRangeException(nameof(rule));
        }
    }
}
