namespace Orchestrator.ML.Drift;

/// <summary>Counts of each category in two samples over the union of their categories, in order of first appearance
/// (reference first). A category absent from one side counts 0 there.</summary>
public sealed record CategoryCounts<T>(IReadOnlyList<T> Categories, long[] Reference, long[] Current, long ReferenceTotal, long CurrentTotal)
    where T : notnull;

/// <summary>Builds <see cref="CategoryCounts{T}"/> from two samples.</summary>
public static class CategoryCounts
{
    public static CategoryCounts<T> Of<T>(IReadOnlyCollection<T> reference, IReadOnlyCollection<T> current)
        where T : notnull
    {
        DriftSamples.RequireNonEmpty(reference, nameof(reference));
        DriftSamples.RequireNonEmpty(current, nameof(current));
        var index = new Dictionary<T, int>();
        var categories = new List<T>();
        var referenceCounts = new List<long>();
        var currentCounts = new List<long>();
        Count(reference, referenceCounts);
        Count(current, currentCounts);
        return new CategoryCounts<T>(categories, [.. referenceCounts], [.. currentCounts], reference.Count, current.Count);

        void Count(IReadOnlyCollection<T> sample, List<long> counts)
        {
            foreach (var value in sample)
            {
                if (value is null)
                    throw new ArgumentException("A sample holds a null category; drop missing values first.", nameof(sample));
                if (!index.TryGetValue(value, out var slot))
                {
                    slot = categories.Count;
                    index.Add(value, slot);
                    categories.Add(value);
                    referenceCounts.Add(0);
                    currentCounts.Add(0);
                }
                counts[slot]++;
            }
        }
    }
}
