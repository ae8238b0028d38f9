using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Authoring;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.ML.Evaluation;
using Orchestrator.ML.Gating;
using Orchestrator.ML.Models;
using Orchestrator.ML.Training;
using Orchestrator.Storage;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tasks;

/// <summary><c>ml.evaluate {dataset?: TASK_ID, model?: NAME, alias?: "production", metric?}</c>: scores every upstream
/// candidate, and the model the alias points at (the baseline), on the same rows — the dataset an ingest task made, or
/// else the holdout the candidates share — and chooses the best candidate by <c>metric</c>.</summary>
public sealed class EvaluateTask(IMetadataStore store, IArtifactStore artifacts, DatasetSources datasets, IModelPackageReader packages) : ITaskExecutor
{
    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        context.RequireKnownArgs("dataset", "model", "alias", "metric", "direction");
        var candidates = context.UpstreamOutputs<ModelOutput>(MlOutputKinds.Model).Select(c => c.Output).ToList();
        if (candidates.Count == 0)
        {
            throw new TaskFailedException($"task '{context.TaskId}' (ml.evaluate) needs at least one direct upstream ml.train task");
        }

        if (candidates.Select(c => (c.Task, c.Label)).Distinct().Count() > 1)
        {
            throw new TaskFailedException($"task '{context.TaskId}' (ml.evaluate): its candidates predict different things ({string.Join(", ", candidates.Select(c => $"{c.TrainedBy}: {c.Task} of {c.Label}"))})");
        }

        var args = context.Args;
        var metric = args.GetString("metric") ?? DefaultMetric(candidates[0].Task);
        var direction = DirectionOf(context, metric, args.GetString("direction"));
        var (dataset, holdout, on) = await RowsAsync(context, candidates, cancellationToken);
        var (baselineRecord, baselinePath, alias) = await BaselineAsync(context, cancellationToken);

        var scores = new List<(ModelOutput Model, ModelEvaluation Evaluation)>();
        ModelEvaluation? baselineEvaluation = null;
        foreach (var candidate in candidates)
        {
            ModelEvaluation evaluation;
            if (holdout is not null && candidate is { HoldoutRows: { } rows, Metrics.Count: > 0 })
            {
                // ml.train scored this very package's model on these very rows (the split is seeded and happens before
                // anything is dropped): scoring it again would repeat the work and give the same numbers.
                evaluation = new ModelEvaluation(true, candidate.Metrics, rows, 0);
                if (baselinePath is not null && baselineEvaluation is null)
                {
                    using var package = packages.Read(await artifacts.GetLocalPathAsync(candidate.Artifact, cancellationToken));
                    baselineEvaluation = await Task.Run(() => ModelEvaluator.EvaluateBaseline(package.Signature, baselinePath, dataset, holdout), cancellationToken);
                }
            }
            else
            {
                var path = await artifacts.GetLocalPathAsync(candidate.Artifact, cancellationToken);
                var comparison = await Task.Run(() => ModelEvaluator.Compare(path, baselineEvaluation is null ? baselinePath : null, dataset, holdout), cancellationToken);
                baselineEvaluation ??= comparison.Baseline;
                evaluation = comparison.Candidate.Available
                    ? comparison.Candidate
                    : throw new TaskFailedException($"candidate from '{candidate.TrainedBy}' could not be evaluated: {comparison.Candidate.Reason}");
            }

            scores.Add((candidate, evaluation));
            await store.Tracking.LogMetricsAsync(candidate.TrackingRunId,
                [.. evaluation.Metrics.Select(m => new MetricPoint($"eval_{m.Key}", m.Value, 0, context.Time.GetUtcNow()))], cancellationToken);
            context.Logger.LogInformation("{Candidate} ({Trainer}) on {On}: {Metrics}", candidate.TrainedBy, candidate.Trainer, on, Describe(evaluation.Metrics));
        }

        var chosen = Choose(context, scores, metric, direction);
        var baseline = BaselineScoreOf(args.GetString("model"), alias, baselineRecord, baselineEvaluation);
        if (baseline is not null)
        {
            context.Logger.LogInformation("Baseline {Model}@{Alias}: {Result}", baseline.Model, alias,
                baseline.Metrics is { } metrics ? $"version {baseline.Version}: {Describe(metrics)}" : $"unavailable ({baseline.Unavailable})");
        }

        context.Logger.LogInformation("Chosen by {Metric} ({Direction} is better): {Candidate}", metric, direction.ToString().ToLowerInvariant(), chosen.Model.TrainedBy);
        var chosenScore = new CandidateScore(chosen.Model.TrainedBy, chosen.Model.Artifact, chosen.Model.TrackingRunId, chosen.Evaluation.Metrics);
        return MlJson.ToElement(new EvaluationOutput(MlOutputKinds.Evaluation, metric, direction.ToString().ToLowerInvariant(), chosen.Evaluation.Rows, on,
            [.. scores.Select(s => new CandidateScore(s.Model.TrainedBy, s.Model.Artifact, s.Model.TrackingRunId, s.Evaluation.Metrics))],
            chosenScore, chosen.Model, baseline));
    }

    private async Task<(DatasetSource Dataset, HoldoutSpec? Holdout, string On)> RowsAsync(TaskContext context, List<ModelOutput> candidates, CancellationToken cancellationToken)
    {
        if (context.Args.GetString("dataset") is { } named)
        {
            var dataset = context.OutputOfTask<DatasetOutput>("dataset", named, MlOutputKinds.Dataset);
            return (await datasets.SourceAsync(dataset, cancellationToken), null, $"dataset '{dataset.Name}' ({dataset.Rows} rows)");
        }

        var holdouts = candidates.Select(c => c.Holdout).Distinct().ToList();
        if (holdouts is not [{ } holdout])
        {
            throw new TaskFailedException(holdouts.Contains(null)
                ? $"task '{context.TaskId}' (ml.evaluate): a candidate kept no holdout (holdout: 0); name an ml.ingest task in args.dataset to evaluate on"
                : $"task '{context.TaskId}' (ml.evaluate): the candidates held out different rows (dataset, holdout or seed differ), so they cannot be compared on their holdout; align them or name an ml.ingest task in args.dataset");
        }

        var source = await datasets.SourceAsync(holdout.Dataset, holdout.Separator, holdout.Schema, cancellationToken);
        return (source, new HoldoutSpec(source, holdout.Fraction, holdout.Seed), $"the holdout ({holdout.Fraction.ToString("P0", CultureInfo.InvariantCulture)} of {holdout.Dataset[..12]}, seed {holdout.Seed})");
    }

    private async Task<(ModelVersionRecord? Record, string? Path, string Alias)> BaselineAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var alias = context.Args.GetString("alias") ?? DeployTask.DefaultAlias;
        if (context.Args.GetString("model") is not { } model)
        {
            return (null, null, alias);
        }

        var record = await store.Models.GetByAliasAsync(ModelNames.Require(context, "model", model), alias, cancellationToken);
        return record is null ? (null, null, alias) : (record, await artifacts.GetLocalPathAsync(record.ArtifactDigest, cancellationToken), alias);
    }

    /// <summary>Null when no model was named; else the baseline's metrics, or why it has none (not deployed yet, or it
    /// could not be scored on these rows).</summary>
    private static BaselineScore? BaselineScoreOf(string? model, string alias, ModelVersionRecord? record, ModelEvaluation? evaluation) =>
        model is null ? null
        : record is null ? new BaselineScore(model, alias, null, null, $"{model}@{alias} is not set yet")
        : evaluation is { Available: true } ? new BaselineScore(model, alias, record.Version, evaluation.Metrics, null)
        : new BaselineScore(model, alias, record.Version, null, evaluation?.Reason);

    private static (ModelOutput Model, ModelEvaluation Evaluation) Choose(TaskContext context, List<(ModelOutput Model, ModelEvaluation Evaluation)> scores, string metric, GateDirection direction)
    {
        if (scores.Any(s => !s.Evaluation.Metrics.ContainsKey(metric)))
        {
            throw context.ArgError("metric", $"is '{metric}', which the evaluation does not give; it gives {string.Join(", ", scores[0].Evaluation.Metrics.Keys)}");
        }

        // NaN never wins; ties keep dependsOn order, so the choice is deterministic.
        var ranked = scores.Where(s => !double.IsNaN(s.Evaluation.Metrics[metric])).ToList();
        if (ranked.Count == 0)
        {
            throw new TaskFailedException($"every candidate's {metric} is NaN; none can be chosen");
        }

        return direction == GateDirection.Higher
            ? ranked.Aggregate((best, next) => next.Evaluation.Metrics[metric] > best.Evaluation.Metrics[metric] ? next : best)
            : ranked.Aggregate((best, next) => next.Evaluation.Metrics[metric] < best.Evaluation.Metrics[metric] ? next : best);
    }

    private static GateDirection DirectionOf(TaskContext context, string metric, string? direction)
    {
        try
        {
            return new GatePolicy(metric, direction is null ? null : GatePolicy.ParseDirection(direction)).EffectiveDirection;
        }
        catch (ArgumentException bad)
        {
            throw context.ArgError(direction is null ? "metric" : "direction", bad.Message);
        }
    }

    private static string DefaultMetric(string task) => task switch
    {
        "binary" => MetricNames.Auc,
        "multiclass" => MetricNames.MacroAccuracy,
        _ => MetricNames.R2,
    };

    internal static string Describe(IReadOnlyDictionary<string, double> metrics) =>
        string.Join(", ", metrics.Select(m => $"{m.Key} {m.Value.ToString("G6", CultureInfo.InvariantCulture)}"));
}
