using Orchestrator.ML.Evaluation;
using Orchestrator.ML.Models;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Monitoring;

/// <summary>The metrics of a set of labelled rows: <see cref="Count"/> rows compared, <see cref="Invalid"/> rows whose
/// prediction or label could not be read or compared (left out), and each metric under its <see cref="MetricNames"/>
/// name. A metric is null when the rows do not define it (no rows; r2 of constant labels; f1 with no positives).</summary>
public sealed record LiveMetrics(int Count, int Invalid, IReadOnlyDictionary<string, double?> Values)
{
    /// <summary>Computes the metrics of <paramref name="signature"/>'s task over <paramref name="rows"/>.</summary>
    public static LiveMetrics Compute(ModelSignature signature, IEnumerable<LabeledInference> rows)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(rows);
        return signature.Task switch
        {
            MlTask.Regression => Regression(rows),
            MlTask.Binary => Binary(LiveValues.ClassesOf(signature)!, rows),
            _ => Multiclass(LiveValues.ClassesOf(signature), rows),
        };
    }

    /// <summary>The metric names <see cref="Compute"/> gives for <paramref name="task"/>.</summary>
    public static IReadOnlyList<string> NamesOf(MlTask task) => task switch
    {
        MlTask.Regression => [MetricNames.R2, MetricNames.Rmse, MetricNames.Mae, MetricNames.Mse],
        MlTask.Binary => [MetricNames.Accuracy, MetricNames.F1, MetricNames.Precision, MetricNames.Recall],
        _ => [MetricNames.MicroAccuracy, MetricNames.MacroAccuracy],
    };

    /// <summary>The one metric a chart or a check shows by default: r2, accuracy, microAccuracy.</summary>
    public static string HeadlineOf(MlTask task) => NamesOf(task)[0];

    private static LiveMetrics Regression(IEnumerable<LabeledInference> rows)
    {
        var pairs = new List<(double Label, double Prediction)>();
        var invalid = 0;
        foreach (var row in rows)
        {
            if (LiveValues.Number(row.Label, "value") is { } label && LiveValues.Number(row.Inference.Prediction, "value") is { } prediction)
            {
                pairs.Add((label, prediction));
            }
            else
            {
                invalid++;
            }
        }

        if (pairs.Count == 0)
        {
            return Empty(MlTask.Regression, invalid);
        }

        var mean = pairs.Average(pair => pair.Label);
        double squared = 0, absolute = 0, total = 0;
        foreach (var (label, prediction) in pairs)
        {
            var error = label - prediction;
            squared += error * error;
            absolute += Math.Abs(error);
            total += (label - mean) * (label - mean);
        }

        var mse = squared / pairs.Count;
        return new LiveMetrics(pairs.Count, invalid, new Dictionary<string, double?>
        {
            // r2 compares the errors with the labels' own spread; labels that do not vary have none.
            [MetricNames.R2] = total > 0 ? 1 - (squared / total) : null,
            [MetricNames.Rmse] = Math.Sqrt(mse),
            [MetricNames.Mae] = absolute / pairs.Count,
            [MetricNames.Mse] = mse,
        });
    }

    private static LiveMetrics Binary(IReadOnlyList<string> classes, IEnumerable<LabeledInference> rows)
    {
        // As in training, the second class is the positive one (false/true, 0/1, no/yes).
        var positive = classes[^1];
        int truePositive = 0, falsePositive = 0, falseNegative = 0, correct = 0, count = 0, invalid = 0;
        foreach (var row in rows)
        {
            var label = LiveValues.Class(row.Label, classes);
            var prediction = LiveValues.Class(row.Inference.Prediction, classes);
            if (label is null || prediction is null)
            {
                invalid++;
                continue;
            }

            count++;
            var labelPositive = label == positive;
            var predictedPositive = prediction == positive;
            correct += labelPositive == predictedPositive ? 1 : 0;
            truePositive += labelPositive && predictedPositive ? 1 : 0;
            falsePositive += !labelPositive && predictedPositive ? 1 : 0;
            falseNegative += labelPositive && !predictedPositive ? 1 : 0;
        }

        if (count == 0)
        {
            return Empty(MlTask.Binary, invalid);
        }

        return new LiveMetrics(count, invalid, new Dictionary<string, double?>
        {
            [MetricNames.Accuracy] = (double)correct / count,
            [MetricNames.F1] = Ratio(2 * truePositive, (2 * truePositive) + falsePositive + falseNegative),
            [MetricNames.Precision] = Ratio(truePositive, truePositive + falsePositive),
            [MetricNames.Recall] = Ratio(truePositive, truePositive + falseNegative),
        });
    }

    private static LiveMetrics Multiclass(IReadOnlyList<string>? classes, IEnumerable<LabeledInference> rows)
    {
        // Per true class: how many rows had it and how many of those were predicted right (macroAccuracy averages
        // these recalls over the classes the labels hold, as ML.NET does).
        var perClass = new Dictionary<string, (int Rows, int Correct)>(StringComparer.Ordinal);
        int correct = 0, count = 0, invalid = 0;
        foreach (var row in rows)
        {
            var label = LiveValues.Class(row.Label, classes, allowUnknown: true);
            var prediction = LiveValues.Class(row.Inference.Prediction, classes);
            if (label is null || prediction is null)
            {
                invalid++;
                continue;
            }

            count++;
            var hit = label == prediction ? 1 : 0;
            correct += hit;
            var (seen, right) = perClass.GetValueOrDefault(label);
            perClass[label] = (seen + 1, right + hit);
        }

        if (count == 0)
        {
            return Empty(MlTask.Multiclass, invalid);
        }

        return new LiveMetrics(count, invalid, new Dictionary<string, double?>
        {
            [MetricNames.MicroAccuracy] = (double)correct / count,
            [MetricNames.MacroAccuracy] = perClass.Values.Average(tally => (double)tally.Correct / tally.Rows),
        });
    }

    private static double? Ratio(int numerator, int denominator) => denominator > 0 ? (double)numerator / denominator : null;

    private static LiveMetrics Empty(MlTask task, int invalid) =>
        new(0, invalid, NamesOf(task).ToDictionary(name => name, _ => (double?)null));
}
