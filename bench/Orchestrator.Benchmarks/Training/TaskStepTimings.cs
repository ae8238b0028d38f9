using System.Diagnostics;
using Orchestrator.ML.Data;
using Orchestrator.ML.Evaluation;
using Orchestrator.ML.Models;
using Orchestrator.ML.Training;
using Orchestrator.Storage.Artifacts;

namespace Orchestrator.Benchmarks.Training;

/// <summary>Where ml.train and ml.evaluate spend their time beyond what direct ML.NET does, step by step with the same
/// library calls the tasks make: the training itself, writing the model package, storing it (hash + copy) in the
/// artifact store, reading it back, and scoring the holdout again from the package (what ml.evaluate does).</summary>
internal static class TaskStepTimings
{
    public sealed record Steps(double Train, double WritePackage, double StorePackage, double ReadPackage, double EvaluateHoldout);

    public static async Task<Steps> MeasureAsync(DatasetSource dataset, int seed)
    {
        var home = Path.Combine(Path.GetTempPath(), $"orchestrator-bench-steps-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        try
        {
            var artifacts = new FolderArtifactStore(Path.Combine(home, "artifacts"));
            var started = Stopwatch.GetTimestamp();
            var result = new ModelTrainer().Train(new TrainRequest(dataset, MlTask.Regression, "fare_amount", TrainerCatalog.FastTree, Seed: seed));
            var train = Lap(ref started);
            var package = Path.Combine(home, "model.zip");
            using (result.Model)
            {
                ModelPackageWriter.Write(result.Model, package);
            }

            var write = Lap(ref started);
            var stored = await artifacts.PutFileAsync(package, knownDigest: null, default);
            var path = await artifacts.GetLocalPathAsync(stored.Digest, default);
            var store = Lap(ref started);
            using var model = ModelPackageReader.ReadModel(path);
            var read = Lap(ref started);
            ModelEvaluator.Evaluate(model, result.Holdout!);
            return new Steps(train, write, store, read, Lap(ref started));
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static double Lap(ref long started)
    {
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        started = Stopwatch.GetTimestamp();
        return seconds;
    }
}
