using System.Runtime.InteropServices;

namespace Orchestrator.ML.Drift;

/// <summary>A categorical feature tested with Evidently's default the fast way: every value is hashed once to a
/// category code and counted, and the one <see cref="CategoryCounts{T}"/> serves both the test and its histogram.
/// Gives exactly what <see cref="DriftTestPicker.TestCategorical"/> gives (a test holds them equal); that one counts
/// the samples again for the histogram, through the generic collection interfaces.</summary>
internal static class CodedCategoricalDrift
{
    public static DriftTestResult Test(string[] reference, string[] current)
    {
        DriftSamples.RequireNonEmpty(reference, nameof(reference));
        DriftSamples.RequireNonEmpty(current, nameof(current));
        var counts = Count(reference, current);
        var method = DriftTestPicker.Pick(DriftColumnKind.Categorical, reference.Length, 1);
        var threshold = DriftTestPicker.DefaultThreshold(method);
        var bins = DriftBinning.FromCounts(counts, fillZeroes: false);
        if (method == DriftMethod.ChiSquared)
        {
            var chi = ChiSquaredTest.Compare(counts);
            return new DriftTestResult(method, chi.PValue, chi.Statistic, threshold, chi.PValue < threshold, bins);
        }

        var distance = JensenShannon.Distance(bins.Reference, bins.Current);
        return new DriftTestResult(method, distance, null, threshold, distance >= threshold, bins);
    }

    /// <summary><see cref="CategoryCounts.Of{T}"/> for strings: categories in order of first appearance, reference first.</summary>
    internal static CategoryCounts<string> Count(string[] reference, string[] current)
    {
        var codes = new Dictionary<string, int>(StringComparer.Ordinal);
        var categories = new List<string>();
        var referenceCounts = Tally(reference, codes, categories, new long[16], nameof(reference));
        var currentCounts = Tally(current, codes, categories, new long[Math.Max(16, categories.Count)], nameof(current));
        Array.Resize(ref referenceCounts, categories.Count);
        Array.Resize(ref currentCounts, categories.Count);
        return new CategoryCounts<string>(categories, referenceCounts, currentCounts, reference.Length, current.Length);
    }

    private static long[] Tally(string[] sample, Dictionary<string, int> codes, List<string> categories, long[] counts, string paramName)
    {
        // Runs of one instance are common (a CSV reader that interns its fields, a constant column): the last code is
        // reused without hashing.
        string? last = null;
        var lastCode = -1;
        foreach (var value in sample)
        {
            if (!ReferenceEquals(value, last))
            {
                if (value is null)
                    throw new ArgumentException("A sample holds a null category; drop missing values first.", paramName);
                ref var code = ref CollectionsMarshal.GetValueRefOrAddDefault(codes, value, out var known);
                if (!known)
                {
                    code = categories.Count;
                    categories.Add(value);
                }
                last = value;
                lastCode = code;
            }

            if (lastCode >= counts.Length)
                Array.Resize(ref counts, Math.Max(counts.Length * 2, lastCode + 1));
            counts[lastCode]++;
        }
        return counts;
    }
}
