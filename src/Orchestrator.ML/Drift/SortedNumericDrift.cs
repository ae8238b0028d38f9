namespace Orchestrator.ML.Drift;

/// <summary>A numeric feature tested with Evidently's default the fast way: each sample is sorted once and the sorted
/// copies serve the distinct count, KS, Wasserstein and the histogram (a linear walk instead of a binary search per
/// value). Gives exactly what <see cref="DriftTestPicker.TestNumeric"/> gives (a test holds them equal); that one sorts
/// and scans each sample again per statistic, which on 1,000,000 rows is most of the time a drift check takes.</summary>
internal static class SortedNumericDrift
{
    public static DriftTestResult Test(double[] reference, double[] current)
    {
        DriftSamples.RequireFinite(reference, nameof(reference));
        DriftSamples.RequireFinite(current, nameof(current));
        var sortedReference = RadixSort.SortedCopy(reference);
        var sortedCurrent = RadixSort.SortedCopy(current);
        var method = DriftTestPicker.Pick(DriftColumnKind.Numeric, reference.Length,
            DistinctAcross(sortedReference, sortedCurrent, DriftTestPicker.FewDistinctValues + 1));
        var threshold = DriftTestPicker.DefaultThreshold(method);
        switch (method)
        {
            case DriftMethod.KolmogorovSmirnov:
            {
                var d = KolmogorovSmirnov.Statistic(sortedReference, sortedCurrent);
                var p = KolmogorovSmirnov.PValue(d, reference.Length, current.Length);
                return new DriftTestResult(method, p, d, threshold, p < threshold, Bins(reference, current, sortedReference, sortedCurrent));
            }
            case DriftMethod.ChiSquared:
            {
                // At most 5 distinct values: counting them by value is cheap and keeps the first-appearance order.
                var counts = CategoryCounts.Of(reference, current);
                var chi = ChiSquaredTest.Compare(counts);
                return new DriftTestResult(method, chi.PValue, chi.Statistic, threshold, chi.PValue < threshold, DriftBinning.FromCounts(counts, fillZeroes: false));
            }
            case DriftMethod.Wasserstein:
            {
                var distance = WassersteinDistance.Between(sortedReference, sortedCurrent)
                    / Math.Max(WassersteinDistance.PopulationStandardDeviation(reference), WassersteinDistance.MinimumScale);
                return new DriftTestResult(method, distance, null, threshold, distance >= threshold, Bins(reference, current, sortedReference, sortedCurrent));
            }
            case DriftMethod.JensenShannon:
            {
                var bins = Bins(reference, current, sortedReference, sortedCurrent);
                var distance = JensenShannon.Distance(bins.Reference, bins.Current);
                return new DriftTestResult(method, distance, null, threshold, distance >= threshold, bins);
            }
            default:
                throw new InvalidOperationException($"{method} is not a default numeric test.");
        }
    }

    /// <summary><see cref="DriftBinning.Numeric"/> (without the PSI fill) from the sorted samples.</summary>
    internal static BinnedPercents Bins(double[] reference, double[] current, double[] sortedReference, double[] sortedCurrent)
    {
        if (DistinctSorted(sortedReference, DriftBinning.MaxDistinctForValueBins + 1) <= DriftBinning.MaxDistinctForValueBins)
            return DriftBinning.FromCounts(CategoryCounts.Of(reference, current), fillZeroes: false);
        var edges = DriftBinning.SturgesEdges(reference, current);
        return new BinnedPercents(edges, null, SortedHistogram(sortedReference, edges), SortedHistogram(sortedCurrent, edges));
    }

    /// <summary>Same bins as <see cref="DriftBinning.Histogram"/>: value v goes to the last edge ≤ v (the last bin
    /// closed). Sorted values only move forward through the edges, so one walk replaces a search per value.</summary>
    internal static double[] SortedHistogram(double[] sorted, double[] edges)
    {
        var bins = edges.Length - 1;
        var counts = new long[bins];
        var bin = 0;
        foreach (var v in sorted)
        {
            while (bin < bins - 1 && v >= edges[bin + 1])
                bin++;
            counts[bin]++;
        }

        var total = (double)sorted.Length;
        var percents = new double[bins];
        for (var i = 0; i < bins; i++)
            percents[i] = counts[i] / total;
        return percents;
    }

    /// <summary>Distinct values of a sorted sample, counting stopped at <paramref name="stopAt"/>.</summary>
    internal static int DistinctSorted(double[] sorted, int stopAt)
    {
        var distinct = 1;
        for (var i = 1; i < sorted.Length && distinct < stopAt; i++)
        {
            if (sorted[i] != sorted[i - 1])
                distinct++;
        }
        return distinct;
    }

    /// <summary>Distinct values of both sorted samples together (a merge), counting stopped at <paramref name="stopAt"/>.</summary>
    internal static int DistinctAcross(double[] a, double[] b, int stopAt)
    {
        int i = 0, j = 0, distinct = 0;
        while ((i < a.Length || j < b.Length) && distinct < stopAt)
        {
            var x = Math.Min(i < a.Length ? a[i] : double.PositiveInfinity, j < b.Length ? b[j] : double.PositiveInfinity);
            while (i < a.Length && a[i] == x)
                i++;
            while (j < b.Length && b[j] == x)
                j++;
            distinct++;
        }
        return distinct;
    }
}
