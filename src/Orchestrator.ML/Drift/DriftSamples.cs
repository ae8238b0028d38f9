namespace Orchestrator.ML.Drift;

/// <summary>Argument checks shared by the drift statistics: every test needs two non-empty samples of finite numbers
/// (missing values are dropped by the caller, as Evidently does, so a NaN here is a bug upstream, not data).</summary>
internal static class DriftSamples
{
    public static void RequireFinite(ReadOnlySpan<double> sample, string paramName)
    {
        if (sample.IsEmpty)
            throw new ArgumentException("The sample is empty; drift needs at least one value on each side.", paramName);
        for (var i = 0; i < sample.Length; i++)
        {
            if (!double.IsFinite(sample[i]))
                throw new ArgumentException($"Value at index {i} is {sample[i]}; expected a finite number (drop missing values first).", paramName);
        }
    }

    public static void RequireNonEmpty<T>(IReadOnlyCollection<T> sample, string paramName)
    {
        ArgumentNullException.ThrowIfNull(sample, paramName);
        if (sample.Count == 0)
            throw new ArgumentException("The sample is empty; drift needs at least one value on each side.", paramName);
    }

    public static double[] SortedCopy(ReadOnlySpan<double> sample)
    {
        var copy = sample.ToArray();
        Array.Sort(copy);
        return copy;
    }
}
