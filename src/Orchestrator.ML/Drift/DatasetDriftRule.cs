namespace Orchestrator.ML.Drift;

/// <summary>Evidently's dataset-level rule: the dataset drifted when the share of drifted columns reaches the
/// threshold (default 0.5, i.e. half the columns).</summary>
public static class DatasetDriftRule
{
    public const double DefaultShare = 0.5;

    public static bool IsDrifted(int driftedColumns, int totalColumns, double share = DefaultShare)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalColumns);
        if (driftedColumns < 0 || driftedColumns > totalColumns)
            throw new ArgumentOutOfRangeException(nameof(driftedColumns), driftedColumns, $"Expected 0..{totalColumns} drifted columns.");
        if (!(share > 0 && share <= 1))
            throw new ArgumentOutOfRangeException(nameof(share), share, "Expected a share in (0, 1].");
        return (double)driftedColumns / totalColumns >= share;
    }
}
