using Orchestrator.ML.Evaluation;
using Orchestrator.ML.Gating;

namespace Orchestrator.ML.Tests.Gating;

public sealed class GateTests
{
    private static Dictionary<string, double> M(params (string Name, double Value)[] metrics) =>
        metrics.ToDictionary(metric => metric.Name, metric => metric.Value);

    [Theory]
    [InlineData(0.7, true, "r2 0.7 meets min 0.7")]
    [InlineData(0.75, true, "r2 0.75 meets min 0.7")]
    [InlineData(0.652, false, "r2 0.652 is below min 0.7")]
    public void Min_is_inclusive(double r2, bool blessed, string reason)
    {
        var decision = Gate.Decide([new GatePolicy("r2", Min: 0.7)], M(("r2", r2)), null);
        Assert.Equal(blessed, decision.Blessed);
        Assert.Equal([reason], decision.Reasons);
    }

    [Theory]
    [InlineData(3.5, true, "rmse 3.5 meets max 3.5")]
    [InlineData(3.51, false, "rmse 3.51 is above max 3.5")]
    public void Max_is_inclusive(double rmse, bool blessed, string reason)
    {
        var decision = Gate.Decide([new GatePolicy("rmse", Max: 3.5)], M(("rmse", rmse)), null);
        Assert.Equal(blessed, decision.Blessed);
        Assert.Equal([reason], decision.Reasons);
    }

    [Theory]
    // Lower is better for rmse: 3.41 against 3.12 is a loss of 0.29.
    [InlineData("rmse", 3.41, 3.12, 0.0, false, "rmse 3.41 is worse than the baseline's 3.12 by 0.29 (allowed change ≥ 0)")]
    [InlineData("rmse", 3.01, 3.12, 0.0, true, "rmse 3.01 is better than the baseline's 3.12 by 0.11 (allowed change ≥ 0)")]
    [InlineData("rmse", 3.12, 3.12, 0.0, true, "rmse 3.12 equals the baseline's 3.12 (allowed change ≥ 0)")]
    [InlineData("rmse", 3.2, 3.12, -0.1, true, "rmse 3.2 is worse than the baseline's 3.12 by 0.08 (allowed change ≥ -0.1)")]
    [InlineData("rmse", 3.1, 3.12, 0.05, false, "rmse 3.1 is better than the baseline's 3.12 by only 0.02 (allowed change ≥ 0.05)")]
    // Higher is better for r2 and every accuracy.
    [InlineData("r2", 0.8, 0.75, 0.0, true, "r2 0.8 is better than the baseline's 0.75 by 0.05 (allowed change ≥ 0)")]
    [InlineData("r2", 0.7, 0.75, 0.0, false, "r2 0.7 is worse than the baseline's 0.75 by 0.05 (allowed change ≥ 0)")]
    [InlineData("auc", 0.9, 0.91, -0.02, true, "auc 0.9 is worse than the baseline's 0.91 by 0.01 (allowed change ≥ -0.02)")]
    [InlineData("logLoss", 0.3, 0.2, 0.0, false, "logLoss 0.3 is worse than the baseline's 0.2 by 0.1 (allowed change ≥ 0)")]
    [InlineData("microAccuracy", 0.95, 0.9, 0.01, true, "microAccuracy 0.95 is better than the baseline's 0.9 by 0.05 (allowed change ≥ 0.01)")]
    public void Change_is_measured_in_the_metrics_good_direction(string metric, double candidate, double baseline, double minChange, bool blessed, string reason)
    {
        var decision = Gate.Decide([new GatePolicy(metric, MinChange: minChange)], M((metric, candidate)), M((metric, baseline)));
        Assert.Equal(blessed, decision.Blessed);
        Assert.Equal([reason], decision.Reasons);
    }

    [Fact]
    public void An_explicit_direction_overrides_the_metrics_default()
    {
        var higher = Gate.Decide([new GatePolicy("rmse", GateDirection.Higher, MinChange: 0)], M(("rmse", 4)), M(("rmse", 3)));
        Assert.True(higher.Blessed);
        var lower = Gate.Decide([new GatePolicy("r2", GateDirection.Lower, MinChange: 0)], M(("r2", 0.9)), M(("r2", 0.8)));
        Assert.False(lower.Blessed);
    }

    [Theory]
    [InlineData("r2", GateDirection.Higher)]
    [InlineData("auc", GateDirection.Higher)]
    [InlineData("f1", GateDirection.Higher)]
    [InlineData("accuracy", GateDirection.Higher)]
    [InlineData("microAccuracy", GateDirection.Higher)]
    [InlineData("macroAccuracy", GateDirection.Higher)]
    [InlineData("rmse", GateDirection.Lower)]
    [InlineData("mae", GateDirection.Lower)]
    [InlineData("mse", GateDirection.Lower)]
    [InlineData("logLoss", GateDirection.Lower)]
    public void Each_metric_has_its_natural_direction(string metric, GateDirection direction) =>
        Assert.Equal(direction, new GatePolicy(metric).EffectiveDirection);

    [Fact]
    public void Without_a_baseline_the_change_check_passes_and_says_so()
    {
        var decision = Gate.Decide([new GatePolicy("r2", Min: 0.7, MinChange: 0)], M(("r2", 0.8)), null);
        Assert.True(decision.Blessed);
        Assert.Equal(["r2 0.8 meets min 0.7", "no baseline model, so the change check on r2 passes"], decision.Reasons);

        var unavailable = Gate.Decide([new GatePolicy("r2", MinChange: 0)], M(("r2", 0.8)), null, "it needs column 'tip'");
        Assert.Equal(["the baseline is unavailable (it needs column 'tip'), so the change check on r2 passes"], unavailable.Reasons);
    }

    [Fact]
    public void A_baseline_without_the_metric_or_with_NaN_does_not_block()
    {
        Assert.True(Gate.Decide([new GatePolicy("r2", MinChange: 0)], M(("r2", 0.8)), M(("rmse", 2))).Blessed);
        var nan = Gate.Decide([new GatePolicy("r2", MinChange: 0)], M(("r2", 0.8)), M(("r2", double.NaN)));
        Assert.True(nan.Blessed);
        Assert.Equal(["the baseline has no usable r2, so the change check passes"], nan.Reasons);
    }

    [Fact]
    public void A_NaN_candidate_metric_fails_every_check_on_it()
    {
        var decision = Gate.Decide([new GatePolicy("r2", Min: 0.7, Max: 1, MinChange: 0)], M(("r2", double.NaN)), M(("r2", 0.5)));
        Assert.False(decision.Blessed);
        Assert.Equal(3, decision.Checks.Count);
        Assert.All(decision.Reasons, reason => Assert.Equal("r2 is NaN, so it cannot pass", reason));
    }

    [Fact]
    public void A_missing_candidate_metric_fails_naming_the_metrics_it_has()
    {
        var decision = Gate.Decide([new GatePolicy("auc", Min: 0.8)], M(("rmse", 1), ("r2", 0.9)), null);
        Assert.False(decision.Blessed);
        Assert.Equal(["the candidate has no auc metric (it has r2, rmse)"], decision.Reasons);
    }

    [Fact]
    public void Several_policies_all_have_to_pass_and_only_failures_are_the_reasons()
    {
        GatePolicy[] policies = [new("r2", Min: 0.7, MinChange: 0), new("rmse", Max: 5)];
        var rejected = Gate.Decide(policies, M(("r2", 0.9), ("rmse", 6)), M(("r2", 0.95), ("rmse", 4)));
        Assert.False(rejected.Blessed);
        Assert.Equal(["r2 0.9 is worse than the baseline's 0.95 by 0.05 (allowed change ≥ 0)", "rmse 6 is above max 5"], rejected.Reasons);
        Assert.Equal(3, rejected.Checks.Count);
        Assert.Equal([true, false, false], rejected.Checks.Select(check => check.Passed));

        var blessed = Gate.Decide(policies, M(("r2", 0.96), ("rmse", 4)), M(("r2", 0.95), ("rmse", 4)));
        Assert.True(blessed.Blessed);
        Assert.Equal(3, blessed.Reasons.Count);
    }

    [Fact]
    public void Decides_on_an_evaluation_comparison()
    {
        var candidate = new ModelEvaluation(true, M(("r2", 0.8)), 100, 0);
        var policies = new[] { new GatePolicy("r2", MinChange: 0) };
        Assert.False(Gate.Decide(policies, new EvaluationComparison(candidate, new ModelEvaluation(true, M(("r2", 0.9)), 100, 0))).Blessed);
        var unavailable = Gate.Decide(policies, new EvaluationComparison(candidate, ModelEvaluation.Unavailable("needs 'tip'")));
        Assert.True(unavailable.Blessed);
        Assert.Contains("needs 'tip'", unavailable.Reasons[0], StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => Gate.Decide(policies, new EvaluationComparison(ModelEvaluation.Unavailable("x"), null)));
    }

    public static TheoryData<GatePolicy, string> BadPolicies() => new()
    {
        { new GatePolicy("", Min: 1), "metric is required" },
        { new GatePolicy("kappa", Min: 1), "Unknown metric 'kappa'; known: " },
        { new GatePolicy("r2"), "sets none of min, max and minChange" },
        { new GatePolicy("r2", Min: 0.9, Max: 0.8), "min 0.9 for 'r2' is above max 0.8" },
        { new GatePolicy("r2", Min: double.NaN), "min for 'r2' must be a finite number" },
        { new GatePolicy("r2", MinChange: double.PositiveInfinity), "minChange for 'r2' must be a finite number" },
    };

    [Theory]
    [MemberData(nameof(BadPolicies))]
    public void A_bad_policy_is_an_error_naming_the_arg(GatePolicy policy, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Gate.Decide([policy], M(("r2", 0.8)), null));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_custom_metric_works_with_a_direction()
    {
        Assert.True(Gate.Decide([new GatePolicy("kappa", GateDirection.Higher, Min: 0.5)], M(("kappa", 0.6)), null).Blessed);
    }

    [Fact]
    public void No_policies_is_an_error() =>
        Assert.Throws<ArgumentException>(() => Gate.Decide([], M(("r2", 0.8)), null));

    [Theory]
    [InlineData("higher", GateDirection.Higher)]
    [InlineData("LOWER", GateDirection.Lower)]
    public void Directions_parse(string text, GateDirection direction) => Assert.Equal(direction, GatePolicy.ParseDirection(text));

    [Fact]
    public void An_unknown_direction_is_an_error() =>
        Assert.Contains("\"sideways\"", Assert.Throws<ArgumentException>(() => GatePolicy.ParseDirection("sideways")).Message, StringComparison.Ordinal);
}
