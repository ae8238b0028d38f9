using System.Globalization;

namespace Orchestrator.ML.Monitoring;

/// <summary>When a live metric counts as degraded: <see cref="MaxDrop"/> is the largest relative worsening against
/// the registered baseline allowed (0.1: 10 % worse), <see cref="MinValue"/>/<see cref="MaxValue"/> bound the live
/// value itself; <see cref="MinRows"/> labelled rows are needed for any verdict.</summary>
public sealed record PerformanceLimits(double? MaxDrop, double? MinValue, double? MaxValue, int MinRows);

/// <summary>The verdict of one check. <see cref="Degraded"/> is null when there is none (too few rows, or a live value
/// the rows do not define); <see cref="Change"/> is the relative worsening (negative: better), null without a baseline
/// to compare; <see cref="Reasons"/> says why, in words.</summary>
public sealed record PerformanceVerdict(bool? Degraded, double? Change, IReadOnlyList<string> Reasons)
{
    public static PerformanceVerdict Judge(string metric, double? live, double? baseline, int rows, PerformanceLimits limits)
    {
        ArgumentNullException.ThrowIfNull(metric);
        ArgumentNullException.ThrowIfNull(limits);
        var change = live is { } l && baseline is { } b ? MetricDirection.RelativeDrop(metric, l, b) : null;
        if (rows < limits.MinRows)
        {
            return new(null, change, [$"only {rows} labelled rows; at least {limits.MinRows} are needed for a verdict"]);
        }

        if (live is not { } value)
        {
            return new(null, change, [$"{metric} is undefined over these {rows} rows (e.g. r2 of labels that do not vary)"]);
        }

        var reasons = new List<string>();
        var degraded = false;
        if (limits.MaxDrop is { } maxDrop)
        {
            if (change is { } drop && drop > maxDrop)
            {
                reasons.Add($"{metric} {Show(value)} is {Show(drop * 100)} % worse than the registered {Show(baseline!.Value)} (maxDrop {Show(maxDrop)})");
                degraded = true;
            }
            else if (change is null)
            {
                reasons.Add(baseline is null
                    ? $"no registered {metric} to compare with, so maxDrop was not checked"
                    : $"the registered {metric} is 0, so a relative drop is undefined and maxDrop was not checked");
            }
        }

        if (limits.MinValue is { } min && value < min)
        {
            reasons.Add($"{metric} {Show(value)} is below minValue {Show(min)}");
            degraded = true;
        }

        if (limits.MaxValue is { } max && value > max)
        {
            reasons.Add($"{metric} {Show(value)} is above maxValue {Show(max)}");
            degraded = true;
        }

        if (!degraded)
        {
            reasons.Add($"{metric} {Show(value)} over {rows} rows is within the limits");
        }

        return new(degraded, change, reasons);
    }

    private static string Show(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
