using Orchestrator.ML.Data;

namespace Orchestrator.ML.Validation;

/// <summary>What a dataset is checked against: a reference profile (e.g. the training data's) with tolerances, and/or
/// declared expectations. At least one of the two should be set; with neither, only nothing is checked.</summary>
public sealed record ValidationRules
{
    public DatasetProfile? Reference { get; init; }

    public ReferenceTolerances Tolerances { get; init; } = new();

    public DatasetExpectations? Expectations { get; init; }
}

/// <summary>How far the current data may stray from the reference profile.</summary>
/// <param name="MissingShare">Added to the reference's missing share per column (absolute, 0.02 = 2 points).</param>
/// <param name="Range">The reference's [min, max] is widened by this fraction of its width on each side.</param>
/// <param name="UnseenShare">Share of a categorical column's present values that may be values the reference never
/// had.</param>
public sealed record ReferenceTolerances(double MissingShare = 0.02, double Range = 0.1, double UnseenShare = 0.01)
{
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MissingShare, nameof(MissingShare));
        ArgumentOutOfRangeException.ThrowIfNegative(Range, nameof(Range));
        ArgumentOutOfRangeException.ThrowIfNegative(UnseenShare, nameof(UnseenShare));
    }
}

/// <summary>One anomaly: which column (null for the dataset as a whole), which check, what was expected, what was
/// found. Check names: <c>rows.min</c>, <c>rows.max</c>, <c>schema.missingColumn</c>, <c>schema.extraColumn</c>,
/// <c>schema.kind</c>, <c>missing.share</c>, <c>range.min</c>, <c>range.max</c>, <c>values.unseen</c> (against the
/// reference), <c>values.allowed</c> (against declared values).</summary>
public sealed record Anomaly(string? Column, string Check, string Expected, string Actual);
