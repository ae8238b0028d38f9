namespace Orchestrator.ML.Drift;

/// <summary>One feature's values in one sample, missing values already dropped (Evidently drops them too): numbers for a
/// numeric feature, texts for a categorical one.</summary>
public sealed class DriftFeatureData
{
    private DriftFeatureData(string name, DriftColumnKind kind, double[]? numbers, string[]? categories)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
        Kind = kind;
        Numbers = numbers;
        Categories = categories;
    }

    public string Name { get; }

    public DriftColumnKind Kind { get; }

    /// <summary>The values of a numeric feature (finite numbers only).</summary>
    public double[]? Numbers { get; }

    /// <summary>The values of a categorical feature.</summary>
    public string[]? Categories { get; }

    public int Count => Numbers?.Length ?? Categories!.Length;

    public static DriftFeatureData Numeric(string name, double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(name, DriftColumnKind.Numeric, values, null);
    }

    public static DriftFeatureData Categorical(string name, string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new(name, DriftColumnKind.Categorical, null, values);
    }
}
