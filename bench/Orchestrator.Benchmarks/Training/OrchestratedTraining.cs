using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.States;
using Orchestrator.Engine.Hosting;
using Orchestrator.Execution.Hosting;
using Orchestrator.Execution.LocalRuns;
using Orchestrator.Loading.Folder;
using Orchestrator.ML.Evaluation;
using Orchestrator.ML.Tasks;
using Orchestrator.Storage;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Benchmarks.Training;

/// <summary>The taxi example the way <c>dags test</c> runs it: a JSON DAG (ml.ingest → ml.train → ml.evaluate) loaded by
/// the real folder loader and run by <see cref="LocalRunExecutor"/>, whose task types come from the real DI composition
/// (execution + ML) over a SQLite metadata store and a folder artifact store in a fresh temporary home.</summary>
internal static class OrchestratedTraining
{
    /// <summary>One repetition. Ingest is timed apart (the direct path reads the CSV itself and has no ingest);
    /// train+evaluate is the rest of the run's wall time, so scheduling between tasks counts against us.</summary>
    public sealed record Timing(
        double SetupSeconds, double IngestSeconds, double TrainEvaluateSeconds, double TrainSeconds, double EvaluateSeconds,
        double TrainR2, double EvaluateR2);

    public static async Task<Timing> RunAsync(string csv, int seed)
    {
        var home = Path.Combine(Path.GetTempPath(), $"orchestrator-bench-train-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        try
        {
            var setup = Stopwatch.GetTimestamp();
            await using var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(home, "orchestrator.db")), TimeProvider.System, default);
            await using var services = Compose(store, home).BuildServiceProvider();
            var dagFile = Path.Combine(home, "dags", "bench_taxi_train.json");
            Directory.CreateDirectory(Path.GetDirectoryName(dagFile)!);
            await File.WriteAllTextAsync(dagFile, DagJson(Path.GetFullPath(csv), seed));
            var loaded = await services.GetRequiredService<DagFolderLoader>().LoadFileAsync(dagFile, default);
            if (loaded.Dags is not [var dag])
            {
                throw new InvalidOperationException($"the benchmark DAG did not load: {string.Join("; ", loaded.Errors)}");
            }

            var executor = services.GetRequiredService<LocalRunExecutor>();
            var run = executor.NewRun(dag.Definition, dag.Folder);
            var setupSeconds = Stopwatch.GetElapsedTime(setup).TotalSeconds;

            var started = Stopwatch.GetTimestamp();
            var result = await executor.RunAsync(dag.Definition, dag.Graph, run, progress: null, default);
            var wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (result.State != DagRunState.Success)
            {
                throw new InvalidOperationException("the benchmark run failed: " + string.Join("; ",
                    result.Tasks.Where(t => t.State != TaskInstanceState.Success).Select(t => $"{t.TaskId}: {t.Reason ?? (t.Tries.Count > 0 ? t.Tries[^1].Error : null)}")));
            }

            var tasks = result.Tasks.ToDictionary(t => t.TaskId.Value);
            var ingest = tasks["ingest"].Duration.TotalSeconds;
            var trained = MlJson.As<ModelOutput>(tasks["train"].Output!.Value, MlOutputKinds.Model)!;
            var evaluated = MlJson.As<EvaluationOutput>(tasks["evaluate"].Output!.Value, MlOutputKinds.Evaluation)!;
            return new Timing(setupSeconds, ingest, wall - ingest, tasks["train"].Duration.TotalSeconds, tasks["evaluate"].Duration.TotalSeconds,
                trained.Metrics[MetricNames.R2], evaluated.Chosen.Metrics[MetricNames.R2]);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>What the CLI's composition root registers for a command with a store (OrchestratorHost.AddOrchestratorCli
    /// and AddOrchestratorStorage, minus secrets and the CLI's console), with no logging provider.</summary>
    private static ServiceCollection Compose(SqlMetadataStore store, string home)
    {
        var services = new ServiceCollection();
        services.AddOrchestratorExecution();
        services.AddOrchestratorDagLoading();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IMetadataStore>(store);
        services.AddSingleton(store.Datasets);
        services.AddSingleton(store.Models);
        services.AddSingleton(store.Tracking);
        services.AddSingleton<IArtifactStore>(new FolderArtifactStore(Path.Combine(home, "artifacts")));
        services.AddOrchestratorMl();
        return services;
    }

    /// <summary>The taxi example's ingest, FastTree candidate and evaluation (no validate, no second candidate): the
    /// inferred schema makes vendor_id and payment_type categorical and the rest numeric, as the other two paths do.</summary>
    private static string DagJson(string csv, int seed) => string.Create(CultureInfo.InvariantCulture, $$"""
        {
          "id": "bench_taxi_train",
          "start": "2026-01-01",
          "tasks": [
            { "id": "ingest", "type": "ml.ingest", "args": { "path": {{System.Text.Json.JsonSerializer.Serialize(csv)}}, "name": "taxi-fare-train" } },
            {
              "id": "train", "type": "ml.train", "dependsOn": ["ingest"],
              "args": { "task": "regression", "label": "fare_amount", "trainer": "fastTree", "holdout": 0.2, "seed": {{seed}} }
            },
            { "id": "evaluate", "type": "ml.evaluate", "dependsOn": ["train"], "args": { "metric": "r2" } }
          ]
        }
        """);
}
