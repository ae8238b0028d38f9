using System.Globalization;
using Orchestrator.ML.Evaluation;

namespace Orchestrator.ML.Gating;

/// <summary>TFX-style blessing (DESIGN.md <c>ml.gate</c>): a candidate is blessed when every policy's checks pass.
/// Pure logic. A missing or NaN candidate metric fails its checks; without a usable baseline value a change check
/// passes, saying why (as TFX does for a first model).</summary>
public static class Gate
{
    public static GateDecision Decide(
        IReadOnlyList<GatePolicy> policies,
        IReadOnlyDictionary<string, double> candidate,
        IReadOnlyDictionary<string, double>? baseline,
        string? baselineUnavailable = null)
    {
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(candidate);
        if (policies.Count == 0)
        {
            throw new ArgumentException("A gate needs at least one policy.");
        }

        var checks = new List<GateCheck>();
        foreach (var policy in policies)
        {
            policy.Validate();
            checks.AddRange(Check(policy, candidate, baseline, baselineUnavailable));
        }

        var blessed = checks.All(check => check.Passed);
        var reasons = checks.Where(check => blessed || !check.Passed).Select(check => check.Reason).ToList();
        return new GateDecision(blessed, reasons, checks);
    }

    /// <summary>Decides on an evaluation: the candidate's metrics against the baseline's, or no baseline.</summary>
    public static GateDecision Decide(IReadOnlyList<GatePolicy> policies, EvaluationComparison evaluation)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        if (!evaluation.Candidate.Available)
        {
            throw new ArgumentException($"The candidate was not evaluated: {evaluation.Candidate.Reason}");
        }

        var baseline = evaluation.Baseline;
        return baseline is { Available: true }
            ? Decide(policies, evaluation.Candidate.Metrics, baseline.Metrics)
            : Decide(policies, evaluation.Candidate.Metrics, null, baseline?.Reason);
    }

    private static IEnumerable<GateCheck> Check(
        GatePolicy policy, IReadOnlyDictionary<string, double> candidate, IReadOnlyDictionary<string, double>? baseline, string? baselineUnavailable)
    {
        var metric = policy.Metric;
        if (!candidate.TryGetValue(metric, out var value) || double.IsNaN(value))
        {
            var why = candidate.ContainsKey(metric)
                ? $"{metric} is NaN, so it cannot pass"
                : $"the candidate has no {metric} metric (it has {(candidate.Count == 0 ? "none" : string.Join(", ", candidate.Keys.Order(StringComparer.Ordinal)))})";
            foreach (var kind in Kinds(policy))
            {
                yield return new GateCheck(metric, kind, false, why);
            }

            yield break;
        }

        if (policy.Min is { } min)
        {
            yield return value >= min
                ? new GateCheck(metric, "min", true, $"{metric} {Show(value)} meets min {Show(min)}")
                : new GateCheck(metric, "min", false, $"{metric} {Show(value)} is below min {Show(min)}");
        }

        if (policy.Max is { } max)
        {
            yield return value <= max
                ? new GateCheck(metric, "max", true, $"{metric} {Show(value)} meets max {Show(max)}")
                : new GateCheck(metric, "max", false, $"{metric} {Show(value)} is above max {Show(max)}");
        }

        if (policy.MinChange is { } minChange)
        {
            yield return Change(policy, value, minChange, baseline, baselineUnavailable);
        }
    }

    private static GateCheck Change(GatePolicy policy, double value, double minChange, IReadOnlyDictionary<string, double>? baseline, string? baselineUnavailable)
    {
        var metric = policy.Metric;
        if (baseline is null)
        {
            return new GateCheck(metric, "change", true, baselineUnavailable is null
                ? $"no baseline model, so the change check on {metric} passes"
                : $"the baseline is unavailable ({baselineUnavailable}), so the change check on {metric} passes");
        }

        if (!baseline.TryGetValue(metric, out var reference) || double.IsNaN(reference))
        {
            return new GateCheck(metric, "change", true, $"the baseline has no usable {metric}, so the change check passes");
        }

        // Improvement in the metric's good direction: positive is better, whichever way the metric runs.
        var improvement = policy.EffectiveDirection == GateDirection.Higher ? value - reference : reference - value;
        var allowed = $"(allowed change ≥ {Show(minChange)})";
        if (improvement >= minChange)
        {
            var how = improvement > 0 ? $"is better than the baseline's {Show(reference)} by {Show(improvement)}"
                : improvement == 0 ? $"equals the baseline's {Show(reference)}"
                : $"is worse than the baseline's {Show(reference)} by {Show(-improvement)}";
            return new GateCheck(metric, "change", true, $"{metric} {Show(value)} {how} {allowed}");
        }

        return improvement < 0
            ? new GateCheck(metric, "change", false, $"{metric} {Show(value)} is worse than the baseline's {Show(reference)} by {Show(-improvement)} {allowed}")
            : new GateCheck(metric, "change", false, $"{metric} {Show(value)} is better than the baseline's {Show(reference)} by only {Show(improvement)} {allowed}");
    }

    private static IEnumerable<string> Kinds(GatePolicy policy)
    {
        if (policy.Min is not null)
        {
            yield return "min";
        }

        if (policy.Max is not null)
        {
            yield return "max";
        }

        if (policy.MinChange is not null)
        {
            yield return "change";
        }
    }

    private static string Show(double value) => value.ToString("G4", CultureInfo.InvariantCulture);
}
