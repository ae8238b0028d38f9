using Microsoft.ML;
using Orchestrator.ML.Models;
using Orchestrator.ML.Training;

namespace Orchestrator.ML.Evaluation;

/// <summary>Scores model packages on a dataset or on a training run's holdout (DESIGN.md <c>ml.evaluate</c>). Rows
/// are read from the CSV file once, into memory (<see cref="RowCache"/>); row counts and metrics read that copy.</summary>
public static class ModelEvaluator
{
    /// <summary>Evaluates on every row of <paramref name="dataset"/>.</summary>
    public static ModelEvaluation Evaluate(MlNetModel model, DatasetSource dataset)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(dataset);
        return Evaluate(model, dataset, holdout: null);
    }

    /// <summary>Evaluates on exactly the rows a training run held out.</summary>
    public static ModelEvaluation Evaluate(MlNetModel model, HoldoutSpec holdout)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(holdout);
        return Evaluate(model, holdout.Dataset, holdout);
    }

    /// <summary>Evaluates the candidate and the baseline on the same rows (the holdout when given, else the whole
    /// dataset). The candidate must evaluate; a baseline that cannot (other task or label, missing columns, no
    /// usable rows) is reported unavailable with the reason instead of failing the evaluation.</summary>
    public static EvaluationComparison Compare(MlNetModel candidate, MlNetModel? baseline, DatasetSource dataset, HoldoutSpec? holdout = null)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(dataset);
        var candidateEvaluation = Evaluate(candidate, dataset, holdout);
        if (baseline is null)
        {
            return new EvaluationComparison(candidateEvaluation, null);
        }

        return new EvaluationComparison(candidateEvaluation, EvaluateBaseline(candidate.Signature, baseline, dataset, holdout));
    }

    /// <summary>Like <see cref="Compare(MlNetModel, MlNetModel?, DatasetSource, HoldoutSpec?)"/> with package files;
    /// a baseline package that cannot be read is unavailable, a candidate that cannot be read is an error.</summary>
    public static EvaluationComparison Compare(string candidatePackage, string? baselinePackage, DatasetSource dataset, HoldoutSpec? holdout = null)
    {
        using var candidate = ModelPackageReader.ReadModel(candidatePackage);
        return new EvaluationComparison(
            Evaluate(candidate, dataset, holdout),
            baselinePackage is null ? null : EvaluateBaseline(candidate.Signature, baselinePackage, dataset, holdout));
    }

    /// <summary>Scores only the baseline package on the rows a candidate with <paramref name="candidate"/>'s signature
    /// is judged on, when the candidate's own metrics on those rows are already known (ml.evaluate on the holdout
    /// ml.train scored). Unavailable, with the reason, when it cannot be read or compared.</summary>
    public static ModelEvaluation EvaluateBaseline(ModelSignature candidate, string baselinePackage, DatasetSource dataset, HoldoutSpec? holdout = null)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(dataset);
        MlNetModel baseline;
        try
        {
            baseline = ModelPackageReader.ReadModel(baselinePackage);
        }
        catch (Exception error) when (error is InvalidDataException or FileNotFoundException)
        {
            return ModelEvaluation.Unavailable(error.Message);
        }

        using (baseline)
        {
            return EvaluateBaseline(candidate, baseline, dataset, holdout);
        }
    }

    private static ModelEvaluation EvaluateBaseline(ModelSignature candidate, MlNetModel baseline, DatasetSource dataset, HoldoutSpec? holdout)
    {
        var signature = baseline.Signature;
        if (signature.Task != candidate.Task)
        {
            return ModelEvaluation.Unavailable(
                $"the baseline is a {Name(signature.Task)} model and the candidate a {Name(candidate.Task)} one; their metrics do not compare.");
        }

        if (signature.Label != candidate.Label)
        {
            return ModelEvaluation.Unavailable($"the baseline predicts '{signature.Label}' and the candidate '{candidate.Label}'.");
        }

        var missing = CsvDataLoader.MissingColumns(dataset.Schema, signature);
        if (missing.Count > 0)
        {
            return ModelEvaluation.Unavailable(
                $"the baseline needs {string.Join(", ", missing.Select(name => $"'{name}'"))}, which dataset '{dataset.Path}' lacks.");
        }

        try
        {
            return Evaluate(baseline, dataset, holdout);
        }
        catch (Exception error) when (error is InvalidDataException or ArgumentException or InvalidOperationException)
        {
            return ModelEvaluation.Unavailable($"the baseline could not be evaluated: {error.Message}");
        }
    }

    private static ModelEvaluation Evaluate(MlNetModel model, DatasetSource dataset, HoldoutSpec? holdout)
    {
        var context = model.Context;
        var raw = CsvDataLoader.Load(context, dataset, model.Signature);
        var rows = RowCache.Start(holdout is null ? raw : HoldoutSplit.Split(context, raw, holdout).Holdout);

        // The label scan is the pass that fills the cache: the total row count costs no parse of its own.
        var total = LabelPreparation.Scan(rows, model.Signature.Task).Rows;
        return Evaluate(context, model, rows, total, holdout is null ? $"Dataset '{dataset.Path}'" : $"The holdout of '{dataset.Path}'");
    }

    /// <summary>Evaluates on raw rows (label not yet prepared) already in a <see cref="RowCache"/>, of which there
    /// are <paramref name="total"/>; the rows without a usable label are the difference to the rows scored.</summary>
    internal static ModelEvaluation Evaluate(MLContext context, MlNetModel model, IDataView cachedRows, long total, string where)
    {
        var prepared = LabelPreparation.Prepare(context, cachedRows, model.Signature);
        var usable = RowCount.Of(prepared); // streams the cache, not the file
        if (usable == 0)
        {
            throw new InvalidDataException($"{where}: no row has a usable '{model.Signature.Label}' value to evaluate on.");
        }

        var metrics = TaskMetrics.Compute(context, model.Transformer.Transform(prepared), model.Signature.Task, where);
        return new ModelEvaluation(true, metrics, usable, total - usable);
    }

    private static string Name(MlTask task) => task.ToString().ToLowerInvariant();
}
