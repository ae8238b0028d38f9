using System.Diagnostics;
using System.Globalization;
using System.Text;
using Orchestrator.ML.Data;
using Orchestrator.ML.Drift;

namespace Orchestrator.Benchmarks.Drift;

/// <summary>ml.drift's two costs, timed apart: (1) the drift computation (DatasetDrift.Compute: every feature's test,
/// histograms and the share rule) on 1,000,000 current rows × 10 mixed columns already in memory, against a 1,000-row
/// reference (KS / chi-squared) and a 1,000,000-row reference (Wasserstein / Jensen–Shannon); (2) reading those 10
/// columns from a CSV file of the current rows (CsvDriftColumns.ReadAsync, as ml.drift reads a dataset).</summary>
public static class DriftBenchmark
{
    private static readonly string[] Cities = ["nyc", "sf", "la", "chi", "bos", "sea", "aus", "den"];
    private static readonly string[] Plans = ["free", "basic", "pro", "team", "enterprise"];

    public static void Run(int repetitions, int rows)
    {
        Console.WriteLine($"drift: {rows:N0} current rows × 10 columns (6 numeric, 4 categorical), {repetitions} repetitions, {Environment.ProcessorCount} cores");
        var current = Columns(new Random(2), rows, shifted: true);
        foreach (var referenceRows in new[] { 1_000, rows })
        {
            var reference = Columns(new Random(1), referenceRows, shifted: false);
            DatasetDrift.Compute(reference, current); // warm-up (JIT)
            var times = new List<double>();
            DatasetDriftResult? result = null;
            for (var i = 0; i < repetitions; i++)
            {
                var watch = Stopwatch.StartNew();
                result = DatasetDrift.Compute(reference, current);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            var tests = string.Join(", ", result!.Features.Select(f => DriftReport.TestName(f.Test!.Method)).Distinct());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  compute, reference {referenceRows,9:N0} rows ({tests}): median {times[times.Count / 2]:F0} ms, min {times[0]:F0} ms, max {times[^1]:F0} ms; drifted {result.DriftedFeatures.Count}/10 ({string.Join(", ", result.DriftedFeatures)})"));
        }

        ReadCsv(current, repetitions);
    }

    /// <summary>Writes the current columns as a CSV file and times reading the 10 features back.</summary>
    private static void ReadCsv(DriftFeatureData[] columns, int repetitions)
    {
        var path = Path.Combine(Path.GetTempPath(), $"orchestrator-drift-bench-{Environment.ProcessId}.csv");
        try
        {
            using (var writer = new StreamWriter(path))
            {
                writer.WriteLine(string.Join(',', columns.Select(c => c.Name)));
                var line = new StringBuilder();
                for (var row = 0; row < columns[0].Count; row++)
                {
                    line.Clear();
                    for (var c = 0; c < columns.Length; c++)
                    {
                        if (c > 0)
                            line.Append(',');
                        if (columns[c].Numbers is { } numbers)
                            line.Append(numbers[row].ToString("R", CultureInfo.InvariantCulture));
                        else
                            line.Append(columns[c].Categories![row]);
                    }
                    writer.WriteLine(line);
                }
            }

            var features = columns.Select(c => new DatasetColumn(c.Name, c.Kind == DriftColumnKind.Numeric ? ColumnKind.Numeric : ColumnKind.Categorical)).ToArray();
            var format = new CsvFormat();
            CsvDriftColumns.ReadAsync(path, format, features, CancellationToken.None).GetAwaiter().GetResult(); // warm-up
            var times = new List<double>();
            for (var i = 0; i < repetitions; i++)
            {
                var watch = Stopwatch.StartNew();
                CsvDriftColumns.ReadAsync(path, format, features, CancellationToken.None).GetAwaiter().GetResult();
                times.Add(watch.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  read CSV ({new FileInfo(path).Length / 1_000_000.0:F0} MB, {columns[0].Count:N0} rows × 10 features): median {times[times.Count / 2]:F0} ms, min {times[0]:F0} ms, max {times[^1]:F0} ms"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Ten columns; when shifted, three of them move (two numeric, one categorical).</summary>
    private static DriftFeatureData[] Columns(Random random, int rows, bool shifted)
    {
        var numeric = new double[6][];
        for (var c = 0; c < 6; c++)
            numeric[c] = new double[rows];
        var city = new string[rows];
        var plan = new string[rows];
        var device = new string[rows];
        var country = new string[rows];
        for (var i = 0; i < rows; i++)
        {
            numeric[0][i] = 40 + (10 * Gaussian(random)) + (shifted ? 8 : 0);
            numeric[1][i] = Math.Exp(10 + (0.5 * Gaussian(random)));
            numeric[2][i] = random.NextDouble() * (shifted ? 1.5 : 1);
            numeric[3][i] = random.Next(0, 1000);
            numeric[4][i] = Math.Round(random.NextDouble() * 100, 2);
            numeric[5][i] = -Math.Log(1 - random.NextDouble());
            city[i] = Cities[random.Next(shifted ? 2 : 0, Cities.Length)];
            plan[i] = Plans[random.Next(Plans.Length)];
            device[i] = random.NextDouble() < 0.6 ? "mobile" : "desktop";
            country[i] = "c" + random.Next(40).ToString(CultureInfo.InvariantCulture);
        }

        return
        [
            .. numeric.Select((values, c) => DriftFeatureData.Numeric($"n{c}", values)),
            DriftFeatureData.Categorical("city", city), DriftFeatureData.Categorical("plan", plan),
            DriftFeatureData.Categorical("device", device), DriftFeatureData.Categorical("country", country),
        ];
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
