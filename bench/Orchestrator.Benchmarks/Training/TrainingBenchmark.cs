using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Orchestrator.ML.Data;
using Orchestrator.ML.Evaluation;
using Orchestrator.ML.Models;
using Orchestrator.ML.Training;

namespace Orchestrator.Benchmarks.Training;

/// <summary>Train + evaluate of the taxi-fare example (100k rows, FastTree regression, 20% holdout) through
/// <see cref="ModelTrainer"/> versus the same featurisation and trainer written directly against ML.NET, in one run,
/// alternating so both see the same machine state. The ratio is the orchestrator's overhead (target ≤ 1.2×).</summary>
public static class TrainingBenchmark
{
    private static readonly DatasetSchema Schema = new(
    [
        new("vendor_id", ColumnKind.Categorical),
        new("rate_code", ColumnKind.Numeric),
        new("passenger_count", ColumnKind.Numeric),
        new("trip_time_in_secs", ColumnKind.Numeric),
        new("trip_distance", ColumnKind.Numeric),
        new("payment_type", ColumnKind.Categorical),
        new("fare_amount", ColumnKind.Numeric),
    ]);

    public static void Run(int repetitions, string path)
    {
        Console.WriteLine($"train+evaluate {path}: FastTree regression on fare_amount, holdout 0.2, seed 1, {repetitions} repetitions");
        Direct(path); // warm-up: JIT and file cache for both paths
        Orchestrated(path);
        var direct = new List<double>();
        var orchestrated = new List<double>();
        for (var i = 0; i < repetitions; i++)
        {
            var (directSeconds, directR2) = Direct(path);
            var (ourSeconds, ourR2) = Orchestrated(path);
            direct.Add(directSeconds);
            orchestrated.Add(ourSeconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  run {i + 1}: direct ML.NET {directSeconds:F3} s (r2 {directR2:F4}), ModelTrainer {ourSeconds:F3} s (r2 {ourR2:F4})"));
        }

        var directMedian = Median(direct);
        var ourMedian = Median(orchestrated);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: direct ML.NET {directMedian:F3} s, ModelTrainer {ourMedian:F3} s, ratio {ourMedian / directMedian:F2}x (target <= 1.2x)"));
    }

    private static (double Seconds, double R2) Orchestrated(string path)
    {
        var started = Stopwatch.GetTimestamp();
        var result = new ModelTrainer().Train(new TrainRequest(
            new DatasetSource(path, Schema, new CsvFormat()), MlTask.Regression, "fare_amount", TrainerCatalog.FastTree, Seed: 1));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        result.Model.Dispose();
        return (seconds, result.HoldoutMetrics[MetricNames.R2]);
    }

    /// <summary>What a developer would write by hand for the same model.</summary>
    private static (double Seconds, double R2) Direct(string path)
    {
        var started = Stopwatch.GetTimestamp();
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromTextFile(path, new TextLoader.Options
        {
            HasHeader = true,
            Separators = [','],
            AllowQuoting = true,
            MissingRealsAsNaNs = true,
            Columns =
            [
                new TextLoader.Column("vendor_id", DataKind.String, 0),
                new TextLoader.Column("rate_code", DataKind.Single, 1),
                new TextLoader.Column("passenger_count", DataKind.Single, 2),
                new TextLoader.Column("trip_time_in_secs", DataKind.Single, 3),
                new TextLoader.Column("trip_distance", DataKind.Single, 4),
                new TextLoader.Column("payment_type", DataKind.String, 5),
                new TextLoader.Column("Label", DataKind.Single, 6),
            ],
        });
        var split = context.Data.TrainTestSplit(data, 0.2, seed: 1);
        var pipeline = context.Transforms.Concatenate("Numeric", "rate_code", "passenger_count", "trip_time_in_secs", "trip_distance")
            .Append(context.Transforms.ReplaceMissingValues("Numeric", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean))
            .Append(context.Transforms.NormalizeMinMax("Numeric"))
            .Append(context.Transforms.Categorical.OneHotEncoding([new InputOutputColumnPair("vendor_id"), new InputOutputColumnPair("payment_type")]))
            .Append(context.Transforms.Concatenate("Features", "Numeric", "vendor_id", "payment_type"))
            .Append(context.Regression.Trainers.FastTree());
        var model = pipeline.Fit(split.TrainSet);
        var metrics = context.Regression.Evaluate(model.Transform(split.TestSet));
        return (Stopwatch.GetElapsedTime(started).TotalSeconds, metrics.RSquared);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
