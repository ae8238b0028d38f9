using Microsoft.ML;
using Orchestrator.ML.Evaluation;
using Orchestrator.ML.Models;

namespace Orchestrator.ML.Training;

/// <summary>Trains one model from a CSV dataset (DESIGN.md <c>ml.train</c>): resolves the inputs, reads the file
/// through a TextLoader (streamed), splits off the seeded holdout, fits featurisation + trainer on the rest and
/// scores the holdout. Same data, request and seed → same model and metrics. Independent trainers may run in
/// parallel: each call has its own MLContext.</summary>
public sealed class ModelTrainer(TimeProvider time)
{
    public ModelTrainer()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Throws <see cref="ArgumentException"/> for bad args (naming the arg and what is allowed) and
    /// <see cref="InvalidDataException"/> for data that cannot train the task (e.g. one label value), both before
    /// fitting anything; <see cref="OperationCanceledException"/> when cancelled (checked between steps: ML.NET
    /// cannot stop a fit midway).</summary>
    public TrainResult Train(TrainRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetTimestamp();
        var trainer = TrainerCatalog.Canonical(request.Trainer ?? TrainerCatalog.DefaultFor(request.Task));
        TrainerCatalog.Validate(trainer, request.Task, request.Hyperparameters);
        HoldoutSplit.Check(request.Holdout);
        var inputs = FeatureSelection.Resolve(request);
        if (!File.Exists(request.Dataset.Path))
        {
            throw new FileNotFoundException($"Dataset '{request.Dataset.Path}' does not exist.", request.Dataset.Path);
        }

        var context = new MLContext(request.Seed);
        var raw = CsvDataLoader.Load(context, request.Dataset, new ModelSignature(request.Task, request.Label, inputs));
        var holdout = request.Holdout > 0 ? new HoldoutSpec(request.Dataset, request.Holdout, request.Seed) : null;
        var (trainRows, holdoutRows) = holdout is null ? (raw, null) : HoldoutSplit.Split(context, raw, holdout);

        // Each part of the file is parsed once, into memory, and the label scans (row and missing-label counts, the
        // classes) read those same passes: fitting, its multi-pass trainers and the holdout metrics then read memory.
        var trainingCache = RowCache.Start(trainRows);
        var holdoutCache = holdoutRows is null ? null : RowCache.Start(holdoutRows);
        var trainingScan = LabelPreparation.Scan(trainingCache, request.Task);
        var holdoutScan = holdoutCache is null ? null : LabelPreparation.Scan(holdoutCache, request.Task);
        cancellationToken.ThrowIfCancellationRequested();
        var classes = request.Task == MlTask.Regression
            ? null
            : LabelPreparation.Classes(holdoutScan is null ? [trainingScan] : [trainingScan, holdoutScan], request.Task, request.Label, request.Dataset.Path);
        var signature = new ModelSignature(request.Task, request.Label, inputs, classes);

        // Cached again after the label filter, as the trainers always saw it: shuffling ones (SDCA) draw their order
        // from these views and the context's seed, so the same seed keeps giving the same model. Filled from memory.
        var training = context.Data.Cache(LabelPreparation.Prepare(context, trainingCache, signature));
        var trainingCount = RowCount.Of(training);
        if (trainingCount == 0)
        {
            throw new InvalidDataException($"Dataset '{request.Dataset.Path}': no training row has a '{request.Label}' value.");
        }

        var pipeline = FeaturePipeline.Build(context, signature)
            .Append(TrainerCatalog.Create(context, trainer, request.Task, request.Hyperparameters, request.Seed));
        var model = new MlNetModel(context, pipeline.Fit(training), signature, trainer);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var evaluation = holdoutCache is null
                ? null
                : ModelEvaluator.Evaluate(context, model, holdoutCache, holdoutScan!.Rows, $"The holdout of '{request.Dataset.Path}'");
            return new TrainResult(
                model,
                signature,
                trainer,
                request.Hyperparameters ?? new Dictionary<string, object?>(),
                evaluation?.Metrics ?? new Dictionary<string, double>(),
                holdout,
                trainingCount,
                evaluation?.Rows ?? 0,
                trainingScan.MissingLabels + (holdoutScan?.MissingLabels ?? 0),
                time.GetElapsedTime(started));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
