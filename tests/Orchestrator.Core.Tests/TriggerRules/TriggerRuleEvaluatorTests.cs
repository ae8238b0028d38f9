using Orchestrator.Core.TriggerRules;
using static Orchestrator.Core.TriggerRules.TriggerRuleDecision;

namespace Orchestrator.Core.Tests.TriggerRules;

public class TriggerRuleEvaluatorTests
{
    /// <summary>Every rule × every multiset of upstream states (unfinished, success, failed, skipped,
    /// upstream_failed) for 1 to 5 upstream tasks: 11 × 251 cases.</summary>
    public static TheoryData<TriggerRule, int, int, int, int, int> EveryMix()
    {
        var data = new TheoryData<TriggerRule, int, int, int, int, int>();
        foreach (var rule in Enum.GetValues<TriggerRule>())
        {
            for (var total = 1; total <= 5; total++)
            {
                for (var unfinished = 0; unfinished <= total; unfinished++)
                for (var success = 0; success <= total - unfinished; success++)
                for (var failed = 0; failed <= total - unfinished - success; failed++)
                for (var skipped = 0; skipped <= total - unfinished - success - failed; skipped++)
                {
                    data.Add(rule, unfinished, success, failed, skipped, total - unfinished - success - failed - skipped);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryMix))]
    public void Decision_MatchesAirflow_ForEveryMixOfUpstreamStates(TriggerRule rule, int unfinished, int success, int failed, int skipped, int upstreamFailed)
    {
        var counts = new UpstreamCounts(unfinished + success + failed + skipped + upstreamFailed, success, failed, skipped, upstreamFailed);

        var decision = TriggerRuleEvaluator.Evaluate(rule, counts);

        Assert.Equal(AirflowTriggerRuleOracle.Decide(rule, unfinished, success, failed, skipped, upstreamFailed), decision);
    }

    // The key cases, readable: rule, upstream states (U unfinished, S success, F failed, K skipped, X upstream_failed), decision.
    [Theory]
    [InlineData(TriggerRule.AllSuccess, "SS", Run)]
    [InlineData(TriggerRule.AllSuccess, "SU", Wait)]
    [InlineData(TriggerRule.AllSuccess, "FU", UpstreamFailed)] // decided as soon as one upstream fails
    [InlineData(TriggerRule.AllSuccess, "XS", UpstreamFailed)]
    [InlineData(TriggerRule.AllSuccess, "KS", Skip)]
    [InlineData(TriggerRule.AllSuccess, "KF", UpstreamFailed)] // a failure outweighs a skip
    [InlineData(TriggerRule.AllFailed, "FX", Run)]
    [InlineData(TriggerRule.AllFailed, "FS", Skip)]
    [InlineData(TriggerRule.AllFailed, "FU", Wait)]
    [InlineData(TriggerRule.AllDone, "SFKX", Run)]
    [InlineData(TriggerRule.AllDone, "SU", Wait)]
    [InlineData(TriggerRule.OneSuccess, "SU", Run)] // runs without waiting for the rest
    [InlineData(TriggerRule.OneSuccess, "FK", UpstreamFailed)]
    [InlineData(TriggerRule.OneSuccess, "KK", Skip)]
    [InlineData(TriggerRule.OneFailed, "XU", Run)] // upstream_failed counts as a failure
    [InlineData(TriggerRule.OneFailed, "SK", Skip)]
    [InlineData(TriggerRule.OneDone, "FU", Run)]
    [InlineData(TriggerRule.OneDone, "KX", Skip)]
    [InlineData(TriggerRule.NoneFailed, "SK", Run)]
    [InlineData(TriggerRule.NoneFailed, "XU", UpstreamFailed)]
    [InlineData(TriggerRule.NoneSkipped, "SF", Run)]
    [InlineData(TriggerRule.NoneSkipped, "KU", Skip)]
    [InlineData(TriggerRule.NoneFailedMinOneSuccess, "SK", Run)]
    [InlineData(TriggerRule.NoneFailedMinOneSuccess, "KK", Skip)]
    [InlineData(TriggerRule.NoneFailedMinOneSuccess, "SF", UpstreamFailed)]
    [InlineData(TriggerRule.AllSkipped, "KK", Run)]
    [InlineData(TriggerRule.AllSkipped, "KS", Skip)]
    [InlineData(TriggerRule.Always, "UU", Run)] // no dependency at all
    public void Decision_ForKeyCases(TriggerRule rule, string upstream, TriggerRuleDecision expected)
    {
        var counts = new UpstreamCounts(
            upstream.Length,
            upstream.Count(c => c == 'S'),
            upstream.Count(c => c == 'F'),
            upstream.Count(c => c == 'K'),
            upstream.Count(c => c == 'X'));

        Assert.Equal(expected, TriggerRuleEvaluator.Evaluate(rule, counts));
    }

    [Theory]
    [MemberData(nameof(AllRules))]
    public void TaskWithoutUpstream_AlwaysRuns(TriggerRule rule) =>
        Assert.Equal(Run, TriggerRuleEvaluator.Evaluate(rule, new UpstreamCounts(0)));

    [Fact]
    public void AllSuccess_IsSkipped_WhenOnlyRemovedUpstreamsAreLeft() =>
        Assert.Equal(Skip, TriggerRuleEvaluator.Evaluate(TriggerRule.AllSuccess, new UpstreamCounts(2, Success: 1, Removed: 1)));

    [Theory]
    [MemberData(nameof(AllRules))]
    public void EveryRule_HasAnAirflowName_ThatParsesBack(TriggerRule rule)
    {
        Assert.True(TriggerRuleNames.TryParse(rule.ToName(), out var parsed));
        Assert.Equal(rule, parsed);
    }

    [Fact]
    public void Names_AreAirflows()
    {
        Assert.Equal(
            ["all_success", "all_failed", "all_done", "one_success", "one_failed", "one_done", "none_failed", "none_skipped",
             "none_failed_min_one_success", "all_skipped", "always"],
            TriggerRuleNames.All);
        Assert.False(TriggerRuleNames.TryParse("all_succes", out _));
    }

    public static TheoryData<TriggerRule> AllRules() => new(Enum.GetValues<TriggerRule>());
}
