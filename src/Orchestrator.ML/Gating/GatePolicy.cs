using Orchestrator.ML.Evaluation;

namespace Orchestrator.ML.Gating;

/// <summary>Which way a metric improves.</summary>
public enum GateDirection
{
    Higher,
    Lower,
}

/// <summary>One TFX-style threshold on one metric (DESIGN.md <c>ml.gate {metric, direction?, min?, max?,
/// minChange?}</c>): a value bound (<c>min</c>/<c>max</c>) and/or a change versus the baseline (<c>minChange</c>: the
/// least improvement in <see cref="Direction"/>; 0 means "no worse", a negative value tolerates that much loss).</summary>
public sealed record GatePolicy(string Metric, GateDirection? Direction = null, double? Min = null, double? Max = null, double? MinChange = null)
{
    private static readonly Dictionary<string, GateDirection> Defaults = new(StringComparer.Ordinal)
    {
        [MetricNames.R2] = GateDirection.Higher,
        [MetricNames.Auc] = GateDirection.Higher,
        [MetricNames.Auprc] = GateDirection.Higher,
        [MetricNames.F1] = GateDirection.Higher,
        [MetricNames.Accuracy] = GateDirection.Higher,
        [MetricNames.Precision] = GateDirection.Higher,
        [MetricNames.Recall] = GateDirection.Higher,
        [MetricNames.MicroAccuracy] = GateDirection.Higher,
        [MetricNames.MacroAccuracy] = GateDirection.Higher,
        [MetricNames.LogLossReduction] = GateDirection.Higher,
        [MetricNames.Rmse] = GateDirection.Lower,
        [MetricNames.Mae] = GateDirection.Lower,
        [MetricNames.Mse] = GateDirection.Lower,
        [MetricNames.LogLoss] = GateDirection.Lower,
    };

    /// <summary>The metric names a gate knows the direction of.</summary>
    public static IReadOnlyCollection<string> KnownMetrics => Defaults.Keys;

    /// <summary>The direction given, else the metric's natural one.</summary>
    public GateDirection EffectiveDirection => Direction ?? (Defaults.TryGetValue(Metric, out var direction)
        ? direction
        : throw new ArgumentException($"Metric '{Metric}' has no default direction; set direction (higher or lower). Known metrics: {string.Join(", ", KnownMetrics)}."));

    /// <summary>Parses the <c>direction</c> arg: "higher" or "lower" (any case).</summary>
    public static GateDirection ParseDirection(string text) => text?.ToLowerInvariant() switch
    {
        "higher" => GateDirection.Higher,
        "lower" => GateDirection.Lower,
        _ => throw new ArgumentException($"direction must be \"higher\" or \"lower\"; got \"{text}\"."),
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the arg when the policy cannot be applied.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Metric))
        {
            throw new ArgumentException("metric is required: the metric to gate on.");
        }

        if (Direction is null && !Defaults.ContainsKey(Metric))
        {
            throw new ArgumentException($"Unknown metric '{Metric}'; known: {string.Join(", ", KnownMetrics)} (or give a direction).");
        }

        foreach (var (name, value) in new[] { ("min", Min), ("max", Max), ("minChange", MinChange) })
        {
            if (value is { } number && !double.IsFinite(number))
            {
                throw new ArgumentException($"{name} for '{Metric}' must be a finite number; got {number}.");
            }
        }

        if (Min > Max)
        {
            throw new ArgumentException($"min {Min} for '{Metric}' is above max {Max}.");
        }

        if (Min is null && Max is null && MinChange is null)
        {
            throw new ArgumentException($"The gate on '{Metric}' sets none of min, max and minChange, so it checks nothing.");
        }
    }
}
