namespace Orchestrator.ML.Evaluation;

/// <summary>One model's metrics on a set of rows, or why it could not be evaluated (<see cref="Available"/> false:
/// e.g. a baseline that needs a column the rows lack).</summary>
/// <remarks>Rows: the rows scored. SkippedRows: rows without a usable label (missing, or a class the model does not
/// know), left out of the metrics.</remarks>
public sealed record ModelEvaluation(bool Available, IReadOnlyDictionary<string, double> Metrics, long Rows, long SkippedRows, string? Reason = null)
{
    public static ModelEvaluation Unavailable(string reason) => new(false, new Dictionary<string, double>(), 0, 0, reason);
}

/// <summary>The candidate and the baseline (the production model) scored on the same rows. <see cref="Baseline"/>
/// is null when there is no baseline at all.</summary>
public sealed record EvaluationComparison(ModelEvaluation Candidate, ModelEvaluation? Baseline);
