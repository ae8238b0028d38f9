using Orchestrator.ML.Data;

namespace Orchestrator.ML.Tests.Data;

internal static class IngestTestSupport
{
    public static async Task<IngestResult> Ingest(TempCsv csv, IngestOptions? options = null) =>
        await DatasetIngestor.IngestAsync(csv.Path, options ?? new IngestOptions(), CancellationToken.None);

    public static async Task<DatasetFormatException> IngestFails(string text, IngestOptions? options = null)
    {
        using var csv = TempCsv.Text(text);
        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => Ingest(csv, options));
        Assert.Equal(csv.Path, error.Path);
        Assert.StartsWith(csv.Path, error.Message, StringComparison.Ordinal);
        return error;
    }

    /// <summary>Type-7 quantile (numpy's default) of sorted values: the reference the exact profile must match.</summary>
    public static double NaiveQuantile(double[] sorted, double q)
    {
        var position = (sorted.Length - 1) * q;
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((sorted[upper] - sorted[lower]) * (position - lower));
    }

    public static double NaiveStd(double[] values)
    {
        var mean = values.Average();
        return Math.Sqrt(values.Sum(value => (value - mean) * (value - mean)) / (values.Length - 1));
    }

    /// <summary>Counts per bin with the profile's binning: equal width over [min, max], last bin closed.</summary>
    public static long[] NaiveHistogram(double[] values, int bins)
    {
        var min = values.Min();
        var max = values.Max();
        var counts = new long[bins];
        var width = (max - min) / bins;
        foreach (var value in values)
        {
            counts[Math.Clamp((int)((value - min) / width), 0, bins - 1)]++;
        }

        return counts;
    }
}
