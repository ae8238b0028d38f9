using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using nietras.SeparatedValues;
using Orchestrator.ML.Data;

namespace Orchestrator.Benchmarks.Ingest;

/// <summary>Ingest + profile + SHA-256 of a generated 1,000,000-row, 10-column CSV through
/// <see cref="DatasetIngestor"/>, against a plain Sep parse of the same file that touches every field (numbers parsed
/// as doubles, text read as spans) with the same reader options. The ratio is what hashing and profiling cost.</summary>
internal static class IngestBenchmark
{
    private const int Rows = 1_000_000;
    private const int Seed = 20_260_101;
    private static readonly int[] NumericColumns = [1, 2, 3, 4, 6, 7];

    public static async Task RunAsync(int repetitions)
    {
        var folder = Path.Combine(Path.GetTempPath(), "orchestrator-ingest-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "trips.csv");
        try
        {
            var generating = Stopwatch.StartNew();
            IngestDataGenerator.Write(path, Rows, Seed);
            var bytes = new FileInfo(path).Length;
            Console.WriteLine($"ingest benchmark: {Environment.ProcessorCount} cores; {Rows:N0} rows x 10 columns, {bytes / 1e6:F1} MB " +
                $"(generated in {generating.Elapsed.TotalSeconds:F1} s, seed {Seed}); {repetitions} repetitions after 1 warm-up");

            var ingest = new List<double>();
            var plain = new List<double>();
            var hashOnly = new List<double>();
            IngestResult? result = null;
            for (var i = 0; i <= repetitions; i++)
            {
                var watch = Stopwatch.StartNew();
                result = await DatasetIngestor.IngestAsync(path, new IngestOptions(), CancellationToken.None);
                AddUnlessWarmUp(ingest, watch.Elapsed.TotalSeconds, i);

                watch.Restart();
                var checksum = PlainParse(path);
                AddUnlessWarmUp(plain, watch.Elapsed.TotalSeconds, i);
                GC.KeepAlive(checksum);

                watch.Restart();
                using (var stream = File.OpenRead(path))
                {
                    GC.KeepAlive(await SHA256.HashDataAsync(stream));
                }

                AddUnlessWarmUp(hashOnly, watch.Elapsed.TotalSeconds, i);
            }

            var ingestMedian = Median(ingest);
            var plainMedian = Median(plain);
            Console.WriteLine($"  (a) ingest + profile + SHA-256 (DatasetIngestor): median {ingestMedian:F3} s  [{string.Join(", ", ingest.Select(Format))}]  {bytes / 1e6 / ingestMedian:F0} MB/s");
            Console.WriteLine($"  (b) plain Sep parse, every field:                median {plainMedian:F3} s  [{string.Join(", ", plain.Select(Format))}]  {bytes / 1e6 / plainMedian:F0} MB/s");
            Console.WriteLine($"      SHA-256 of the file alone:                   median {Median(hashOnly):F3} s");
            Console.WriteLine($"  ratio (a)/(b): {ingestMedian / plainMedian:F2}x; target (a) <= 2 s: {(ingestMedian <= 2 ? "met" : "MISSED")}");
            Console.WriteLine($"  rows {result!.Rows:N0}, digest {result.Digest[..16]}..., schema {string.Join(" ", result.Schema.Columns.Select(column => $"{column.Name}:{column.Kind}"))}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>What any consumer of the file must do at least: parse each number, look at each text.</summary>
    private static double PlainParse(string path)
    {
        using var reader = Sep.New(',').Reader(options => options with { Unescape = true, Trim = SepTrim.All, CultureInfo = CultureInfo.InvariantCulture }).FromFile(path);
        var numeric = new bool[reader.Header.ColNames.Count];
        foreach (var column in NumericColumns)
        {
            numeric[column] = true;
        }

        double sum = 0;
        long textLength = 0;
        foreach (var row in reader)
        {
            for (var i = 0; i < numeric.Length; i++)
            {
                var col = row[i];
                if (numeric[i] && col.TryParse<double>(out var value))
                {
                    sum += value;
                }
                else
                {
                    textLength += col.Span.Length;
                }
            }
        }

        return sum + textLength;
    }

    private static void AddUnlessWarmUp(List<double> samples, double seconds, int iteration)
    {
        if (iteration > 0)
        {
            samples.Add(seconds);
        }
    }

    private static string Format(double seconds) => seconds.ToString("F3", CultureInfo.InvariantCulture);

    private static double Median(List<double> samples)
    {
        var sorted = samples.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
