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

/// <summary>Train + evaluate of the taxi-fare example (100k rows, FastTree regression, 20% holdout) three ways in one
/// run, alternating so all see the same machine state: the same featurisation and trainer written directly against
/// ML.NET; the library's <see cref="ModelTrainer"/>; and the ml.ingest → ml.train → ml.evaluate tasks as
/// <c>dags test</c> runs them (<see cref="OrchestratedTraining"/>: tracking writes, the model package in the artifact
/// store, ml.evaluate reusing the holdout metrics ml.train computed for that package). The ratios to direct ML.NET are the overhead (target ≤ 1.2×);
/// ingest (hash, profile, store) is reported apart, as the direct path has none.</summary>
public static class TrainingBenchmark
{
    private static DatasetSchema Schema => TaxiFareData.Schema;

    private const int Seed = 1;

    public static async Task RunAsync(int repetitions, string path)
    {
        Console.WriteLine($"train+evaluate {path}: FastTree regression on fare_amount, holdout 0.2, seed {Seed}, {repetitions} repetitions");
        Direct(path, cacheTraining: false); // warm-up: JIT and file cache for every path
        Direct(path, cacheTraining: true);
        Orchestrated(path);
        await OrchestratedTraining.RunAsync(path, Seed);
        var direct = new List<double>();
        var cached = new List<double>();
        var orchestrated = new List<double>();
        var tasks = new List<OrchestratedTraining.Timing>();
        var steps = new List<TaskStepTimings.Steps>();
        for (var i = 0; i < repetitions; i++)
        {
            var (directSeconds, directR2) = Direct(path, cacheTraining: false);
            var (cachedSeconds, cachedR2) = Direct(path, cacheTraining: true);
            var (ourSeconds, ourR2) = Orchestrated(path);
            var dag = await OrchestratedTraining.RunAsync(path, Seed);
            steps.Add(await TaskStepTimings.MeasureAsync(new DatasetSource(path, Schema, new CsvFormat()), Seed));
            direct.Add(directSeconds);
            cached.Add(cachedSeconds);
            orchestrated.Add(ourSeconds);
            tasks.Add(dag);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  run {i + 1}: direct ML.NET {directSeconds:F3} s (r2 {directR2:F4}), ModelTrainer {ourSeconds:F3} s (r2 {ourR2:F4})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"         direct ML.NET with the training rows cached {cachedSeconds:F3} s (r2 {cachedR2:F4})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"         tasks: ingest {dag.IngestSeconds:F3} s, train+evaluate {dag.TrainEvaluateSeconds:F3} s (ml.train {dag.TrainSeconds:F3} s r2 {dag.TrainR2:F4}, ml.evaluate {dag.EvaluateSeconds:F3} s r2 {dag.EvaluateR2:F4}); setup {dag.SetupSeconds:F3} s untimed"));
            RequireSameModel(i + 1, directR2, ("cached direct ML.NET", cachedR2), ("ModelTrainer", ourR2), ("ml.train", dag.TrainR2), ("ml.evaluate", dag.EvaluateR2));
        }

        var directMedian = Median(direct);
        var cachedMedian = Median(cached);
        var ourMedian = Median(orchestrated);
        var tasksMedian = Median([.. tasks.Select(t => t.TrainEvaluateSeconds)]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: direct ML.NET {directMedian:F3} s, ModelTrainer {ourMedian:F3} s, ratio {ourMedian / directMedian:F2}x (target <= 1.2x)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: direct ML.NET with the training rows cached {cachedMedian:F3} s; against it ModelTrainer {ourMedian / cachedMedian:F2}x, tasks train+evaluate {tasksMedian / cachedMedian:F2}x"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median: tasks train+evaluate {tasksMedian:F3} s (ml.train {Median([.. tasks.Select(t => t.TrainSeconds)]):F3} s, ml.evaluate {Median([.. tasks.Select(t => t.EvaluateSeconds)]):F3} s), " +
            $"ratio {tasksMedian / directMedian:F2}x vs direct ML.NET (target <= 1.2x); ml.ingest {Median([.. tasks.Select(t => t.IngestSeconds)]):F3} s on top"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median steps of the tasks: train {Median([.. steps.Select(t => t.Train)]):F3} s, write package {Median([.. steps.Select(t => t.WritePackage)]):F3} s, " +
            $"store package {Median([.. steps.Select(t => t.StorePackage)]):F3} s, read package {Median([.. steps.Select(t => t.ReadPackage)]):F3} s, " +
            $"scoring the holdout again from the package (what ml.evaluate now saves) {Median([.. steps.Select(t => t.EvaluateHoldout)]):F3} s"));
        Console.WriteLine("r2 agrees to 4 decimals across direct ML.NET (plain and cached), ModelTrainer, ml.train and ml.evaluate in every run: the same model");
    }

    /// <summary>The paths only compare if they train the same model: the same holdout r2 to 4 decimals.</summary>
    private static void RequireSameModel(int run, double directR2, params (string Path, double R2)[] others)
    {
        foreach (var (name, r2) in others)
        {
            if (Math.Round(r2, 4) != Math.Round(directR2, 4))
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                    $"run {run}: {name} r2 {r2:F6} differs from direct ML.NET's {directR2:F6}: not the same model, so the times do not compare"));
            }
        }
    }

    private static (double Seconds, double R2) Orchestrated(string path)
    {
        var started = Stopwatch.GetTimestamp();
        var result = new ModelTrainer().Train(new TrainRequest(
            new DatasetSource(path, Schema, new CsvFormat()), MlTask.Regression, "fare_amount", TrainerCatalog.FastTree, Seed: Seed));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        result.Model.Dispose();
        return (seconds, result.HoldoutMetrics[MetricNames.R2]);
    }

    /// <summary>What a developer would write by hand for the same model. <paramref name="cacheTraining"/>: the training
    /// rows cached in memory first, as ML.NET's docs advise for multi-pass work and as ModelTrainer does, so that the
    /// comparison is not flattered by a CSV re-parsed on every featurisation pass.</summary>
    private static (double Seconds, double R2) Direct(string path, bool cacheTraining)
    {
        var started = Stopwatch.GetTimestamp();
        var context = new MLContext(seed: Seed);
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
        var split = context.Data.TrainTestSplit(data, 0.2, seed: Seed);
        var pipeline = context.Transforms.Concatenate("Numeric", "rate_code", "passenger_count", "trip_time_in_secs", "trip_distance")
            .Append(context.Transforms.ReplaceMissingValues("Numeric", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean))
            .Append(context.Transforms.NormalizeMinMax("Numeric"))
            .Append(context.Transforms.Categorical.OneHotEncoding([new InputOutputColumnPair("vendor_id"), new InputOutputColumnPair("payment_type")]))
            .Append(context.Transforms.Concatenate("Features", "Numeric", "vendor_id", "payment_type"))
            .Append(context.Regression.Trainers.FastTree());
        var model = pipeline.Fit(cacheTraining ? context.Data.Cache(split.TrainSet) : split.TrainSet);
        var metrics = context.Regression.Evaluate(model.Transform(split.TestSet));
        return (Stopwatch.GetElapsedTime(started).TotalSeconds, metrics.RSquared);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
