using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Authoring;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.ML.Models;
using Orchestrator.ML.Training;
using Orchestrator.Storage;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tasks;

/// <summary><c>ml.train {task, label, trainer?, features?, categorical?, ignore?, hyperparameters?, holdout?: 0.2,
/// seed?: 0, dataset?: TASK_ID, experiment?}</c>: trains on the upstream dataset's stored bytes, as a tracking run
/// (experiment: the DAG id unless named) holding params, holdout metrics, the dataset input and the model package.</summary>
public sealed class TrainTask(IMetadataStore store, IArtifactStore artifacts, DatasetSources datasets, ModelTrainer trainer) : ITaskExecutor
{
    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        context.RequireKnownArgs("task", "label", "trainer", "features", "categorical", "ignore", "hyperparameters", "holdout", "seed", "dataset", "experiment");
        var dataset = context.Dataset();
        var request = await BuildRequestAsync(context, dataset, cancellationToken);
        CheckBeforeTracking(context, request, dataset);
        var now = context.Time.GetUtcNow();
        var experiment = await store.Tracking.GetOrCreateExperimentAsync(context.Args.GetString("experiment") ?? context.DagId.Value, now, cancellationToken);
        await EndRunsOfLostTriesAsync(context, experiment.Id, cancellationToken);
        var run = await store.Tracking.StartRunAsync(experiment.Id, context.TaskId.Value, context.Lineage(),
            Params(request, dataset), Tags(context), now, cancellationToken);
        await store.Tracking.LogDatasetInputAsync(run.RunId, new DatasetInputRecord(dataset.Dataset, "training"), cancellationToken);

        try
        {
            var result = await Task.Run(() => Train(context, request, dataset, cancellationToken), cancellationToken);
            using var model = result.Model;
            var package = await StorePackageAsync(result.Model, cancellationToken);
            await store.Tracking.LogArtifactAsync(run.RunId, new TrackedArtifactRecord("model.zip", package.Digest, package.SizeBytes), cancellationToken);
            var at = context.Time.GetUtcNow();
            await store.Tracking.LogMetricsAsync(run.RunId,
                [.. result.HoldoutMetrics.Select(metric => new MetricPoint(metric.Key, metric.Value, 0, at))], cancellationToken);
            await store.Tracking.EndRunAsync(run.RunId, TrackingRunStatus.Finished, at, cancellationToken);

            context.Logger.LogInformation("Trained {Trainer} ({Task}) on {Rows} rows in {Seconds:F1}s; holdout ({HoldoutRows} rows): {Metrics}; tracking run {Run}",
                result.Trainer, request.Task, result.TrainingRows, result.Elapsed.TotalSeconds, result.HoldoutRows,
                string.Join(", ", result.HoldoutMetrics.Select(m => $"{m.Key} {m.Value.ToString("G6", CultureInfo.InvariantCulture)}")), run.RunId);
            var holdout = result.Holdout is { } spec ? new HoldoutOutput(dataset.Dataset, dataset.Separator, spec.Fraction, spec.Seed, dataset.Schema) : null;
            return MlJson.ToElement(new ModelOutput(MlOutputKinds.Model, request.Task.ToString().ToLowerInvariant(), result.Trainer, request.Label,
                package.Digest, run.RunId, dataset.Dataset, result.HoldoutMetrics, holdout, context.TaskId.Value, holdout is null ? null : result.HoldoutRows));
        }
        catch (Exception failure)
        {
            await store.Tracking.EndRunAsync(run.RunId, failure is OperationCanceledException ? TrackingRunStatus.Killed : TrackingRunStatus.Failed,
                context.Time.GetUtcNow(), CancellationToken.None);
            throw;
        }
    }

    private TrainResult Train(TaskContext context, TrainRequest request, DatasetOutput dataset, CancellationToken cancellationToken)
    {
        try
        {
            return trainer.Train(request, cancellationToken);
        }
        catch (ArgumentException bad)
        {
            throw new TaskArgumentException($"task '{context.TaskId}': {Readable(bad, request, dataset)}");
        }
        catch (InvalidDataException bad)
        {
            throw new TaskFailedException(Readable(bad, request, dataset));
        }
    }

    /// <summary>Trainer, hyperparameters, holdout, features and label are checked before a tracking run is started, so a
    /// typo leaves no empty experiment or failed run behind.</summary>
    private static void CheckBeforeTracking(TaskContext context, TrainRequest request, DatasetOutput dataset)
    {
        try
        {
            TrainerCatalog.Validate(TrainerCatalog.Canonical(request.Trainer ?? TrainerCatalog.DefaultFor(request.Task)), request.Task, request.Hyperparameters);
            HoldoutSplit.Check(request.Holdout);
            _ = FeatureSelection.Resolve(request);
        }
        catch (ArgumentException bad)
        {
            throw new TaskArgumentException($"task '{context.TaskId}': {Readable(bad, request, dataset)}");
        }
    }

    /// <summary>The trainer names the file it read (the stored copy, by digest); the user knows the dataset by name. And
    /// an ArgumentException's "(Parameter 'x')" suffix says nothing to a DAG author.</summary>
    private static string Readable(Exception error, TrainRequest request, DatasetOutput dataset)
    {
        var message = error is ArgumentException { ParamName: { } name } argument
            ? argument.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal)
            : error.Message;
        return message.Replace(request.Dataset.Path, $"{dataset.Name}@{dataset.Dataset[..12]}", StringComparison.Ordinal);
    }

    /// <summary>A try lost with its engine (a crash mid-training) left its tracking run RUNNING; the try replacing it
    /// ends it as KILLED, so the experiment shows what happened.</summary>
    private async Task EndRunsOfLostTriesAsync(TaskContext context, string experimentId, CancellationToken cancellationToken)
    {
        foreach (var stale in (await store.Tracking.ListRunsAsync(experimentId, cancellationToken)).Where(run =>
                     run.Status == TrackingRunStatus.Running
                     && run.CreatedBy.DagId == context.DagId.Value && run.CreatedBy.RunId == context.RunId.Value
                     && run.CreatedBy.TaskId == context.TaskId.Value && run.CreatedBy.TryNumber < context.TryNumber))
        {
            await store.Tracking.EndRunAsync(stale.RunId, TrackingRunStatus.Killed, context.Time.GetUtcNow(), cancellationToken);
            context.Logger.LogInformation("Tracking run {Run} of try {Try} never ended (its engine stopped); marked KILLED", stale.RunId, stale.CreatedBy.TryNumber);
        }
    }

    private async Task<TrainRequest> BuildRequestAsync(TaskContext context, DatasetOutput dataset, CancellationToken cancellationToken)
    {
        var args = context.Args;
        var task = args.RequireString("task") switch
        {
            "regression" => MlTask.Regression,
            "binary" => MlTask.Binary,
            "multiclass" => MlTask.Multiclass,
            var other => throw context.ArgError("task", $"is '{other}'; expected regression, binary or multiclass"),
        };
        Dictionary<string, object?>? hyperparameters = null;
        if (args.GetObject("hyperparameters") is { } given)
        {
            hyperparameters = given.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal);
        }

        var source = await datasets.SourceAsync(dataset, cancellationToken);
        return new TrainRequest(
            source,
            task,
            args.RequireString("label"),
            args.GetString("trainer"),
            args.GetStringList("features"),
            args.GetStringList("categorical"),
            args.GetStringList("ignore"),
            hyperparameters,
            args.GetNumber("holdout") ?? 0.2,
            args.GetInt("seed") ?? 0);
    }

    private async Task<ArtifactRef> StorePackageAsync(MlNetModel model, CancellationToken cancellationToken)
    {
        var temporary = Path.Combine(Path.GetTempPath(), $"orchestrator-model-{Guid.NewGuid():N}.zip");
        try
        {
            ModelPackageWriter.Write(model, temporary);
            return await artifacts.PutFileAsync(temporary, knownDigest: null, cancellationToken);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static Dictionary<string, string> Params(TrainRequest request, DatasetOutput dataset)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["task"] = request.Task.ToString().ToLowerInvariant(),
            ["label"] = request.Label,
            ["trainer"] = TrainerCatalog.Canonical(request.Trainer ?? TrainerCatalog.DefaultFor(request.Task)),
            ["holdout"] = request.Holdout.ToString(CultureInfo.InvariantCulture),
            ["seed"] = request.Seed.ToString(CultureInfo.InvariantCulture),
            ["dataset"] = $"{dataset.Name}@{dataset.Dataset}",
        };
        foreach (var (name, list) in new[] { ("features", request.Features), ("categorical", request.Categorical), ("ignore", request.Ignore) })
        {
            if (list is not null)
            {
                parameters[name] = string.Join(",", list);
            }
        }

        foreach (var (name, value) in request.Hyperparameters ?? new Dictionary<string, object?>())
        {
            parameters[$"hp.{name}"] = value switch
            {
                JsonElement { ValueKind: JsonValueKind.String } text => text.GetString()!,
                JsonElement json => json.GetRawText(),
                _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
            };
        }

        return parameters;
    }

    private static Dictionary<string, string> Tags(TaskContext context) => new(StringComparer.Ordinal)
    {
        ["orchestrator.dagId"] = context.DagId.Value,
        ["orchestrator.runId"] = context.RunId.Value,
        ["orchestrator.taskId"] = context.TaskId.Value,
        ["orchestrator.tryNumber"] = context.TryNumber.ToString(CultureInfo.InvariantCulture),
    };
}
