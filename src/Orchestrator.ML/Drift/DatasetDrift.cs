namespace Orchestrator.ML.Drift;

/// <summary>How <see cref="DatasetDrift"/> tests a dataset. Defaults are Evidently's.</summary>
public sealed record DatasetDriftOptions
{
    /// <summary>Share of tested features that must drift for the dataset to drift (default 0.5).</summary>
    public double ShareThreshold { get; init; } = DatasetDriftRule.DefaultShare;

    /// <summary>Test every feature with PSI (threshold 0.1) instead of the per-column default.</summary>
    public bool Psi { get; init; }

    /// <summary>A feature with fewer values than this on either side (after dropping missing ones) is not tested and
    /// not counted (default 1: a feature is skipped only when a side has no value at all).</summary>
    public int MinRows { get; init; } = 1;
}

/// <summary>One feature's verdict in a dataset check; <see cref="Skipped"/> says why it was not tested (then the
/// test fields are null and it does not count toward the share).</summary>
public sealed record FeatureDrift(
    string Name,
    DriftColumnKind Kind,
    int ReferenceRows,
    int CurrentRows,
    DriftTestResult? Test,
    string? Skipped)
{
    public bool Drifted => Test?.Drifted ?? false;
}

/// <summary>A dataset check: every feature's verdict and the dataset-level rule over the tested ones.</summary>
public sealed record DatasetDriftResult(
    bool Drifted,
    double Share,
    double ShareThreshold,
    int TestedFeatures,
    IReadOnlyList<string> DriftedFeatures,
    IReadOnlyList<FeatureDrift> Features);

/// <summary>Evidently's data drift preset as a pure function: each feature tested with its default test (or PSI), then
/// <see cref="DatasetDriftRule"/> over the share of drifted features.</summary>
public static class DatasetDrift
{
    public static DatasetDriftResult Compute(IReadOnlyList<DriftFeatureData> reference, IReadOnlyList<DriftFeatureData> current, DatasetDriftOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(current);
        options ??= new DatasetDriftOptions();
        if (!(options.ShareThreshold > 0 && options.ShareThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.ShareThreshold, "ShareThreshold: expected a share in (0, 1].");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MinRows);
        if (reference.Count == 0)
            throw new ArgumentException("No feature to compare; expected at least one.", nameof(reference));

        var currentByName = new Dictionary<string, DriftFeatureData>(StringComparer.Ordinal);
        foreach (var feature in current)
            currentByName[feature.Name] = feature;

        // Features are independent: tested in parallel, reported in the reference's order.
        var pairs = reference.Select(feature => (Reference: feature, Current: Match(feature, currentByName))).ToArray();
        var features = new FeatureDrift[pairs.Length];
        Parallel.For(0, pairs.Length, i => features[i] = TestFeature(pairs[i].Reference, pairs[i].Current, options));

        var tested = 0;
        var drifted = new List<string>();
        foreach (var feature in features)
        {
            if (feature.Test is null)
                continue;
            tested++;
            if (feature.Drifted)
                drifted.Add(feature.Name);
        }

        var share = tested == 0 ? 0 : (double)drifted.Count / tested;
        var isDrifted = tested > 0 && DatasetDriftRule.IsDrifted(drifted.Count, tested, options.ShareThreshold);
        return new DatasetDriftResult(isDrifted, share, options.ShareThreshold, tested, drifted, features);
    }

    private static DriftFeatureData Match(DriftFeatureData reference, Dictionary<string, DriftFeatureData> current)
    {
        if (!current.TryGetValue(reference.Name, out var found))
            throw new ArgumentException($"The current data has no feature '{reference.Name}'; expected the reference's features.", nameof(current));
        if (found.Kind != reference.Kind)
            throw new ArgumentException($"Feature '{reference.Name}' is {reference.Kind} in the reference but {found.Kind} in the current data.", nameof(current));
        return found;
    }

    private static FeatureDrift TestFeature(DriftFeatureData reference, DriftFeatureData current, DatasetDriftOptions options)
    {
        if (reference.Count < options.MinRows || current.Count < options.MinRows)
        {
            return new FeatureDrift(reference.Name, reference.Kind, reference.Count, current.Count, null,
                $"fewer than {options.MinRows} value(s) on a side (reference {reference.Count}, current {current.Count})");
        }

        // The default tests take the fast paths (each sample sorted or counted once, shared by test and histogram);
        // PSI, asked for explicitly, goes through the per-column picker.
        DriftTestResult test;
        if (options.Psi)
        {
            test = reference.Kind == DriftColumnKind.Numeric
                ? DriftTestPicker.TestNumeric(reference.Numbers, current.Numbers, DriftMethod.Psi)
                : DriftTestPicker.TestCategorical(reference.Categories!, current.Categories!, DriftMethod.Psi);
        }
        else
        {
            test = reference.Kind == DriftColumnKind.Numeric
                ? SortedNumericDrift.Test(reference.Numbers!, current.Numbers!)
                : CodedCategoricalDrift.Test(reference.Categories!, current.Categories!);
        }
        return new FeatureDrift(reference.Name, reference.Kind, reference.Count, current.Count, test, null);
    }
}
