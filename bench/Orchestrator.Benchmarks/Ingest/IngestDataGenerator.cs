using System.Globalization;
using System.Text;

namespace Orchestrator.Benchmarks.Ingest;

/// <summary>Writes a deterministic taxi-like CSV: 10 columns, six numeric (two low-cardinality integers, one
/// high-cardinality integer, three decimals, one with 2% missing) and four categorical (3, 5, 260 and 20 values, one
/// quoted with a separator inside).</summary>
internal static class IngestDataGenerator
{
    private static readonly string[] Vendors = ["CMT", "VTS", "DDS"];
    private static readonly string[] Payments = ["CRD", "CSH", "NOC", "DIS", "UNK"];
    private static readonly string[] Boroughs = Enumerable.Range(0, 20).Select(i => $"\"Borough {i}, NY\"").ToArray();

    public static void Write(string path, int rows, int seed)
    {
        var random = new Random(seed);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), bufferSize: 1 << 16);
        writer.Write("vendor_id,rate_code,passenger_count,trip_time_in_secs,trip_distance,payment_type,fare_amount,tip_amount,pickup_zone,borough\n");
        var line = new StringBuilder(128);
        for (var row = 0; row < rows; row++)
        {
            var distance = Math.Round(-Math.Log(1 - random.NextDouble()) * 3, 2);
            var fare = Math.Round(2.5 + (distance * 2.5) + (random.NextDouble() * 4), 2);
            line.Clear();
            line.Append(Vendors[random.Next(Vendors.Length)]).Append(',')
                .Append(random.Next(1, 7)).Append(',')
                .Append(random.Next(0, 7)).Append(',')
                .Append(random.Next(30, 7200)).Append(',')
                .Append(distance.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Payments[random.Next(Payments.Length)]).Append(',')
                .Append(fare.ToString(CultureInfo.InvariantCulture)).Append(',');
            if (random.Next(50) != 0)
            {
                line.Append(Math.Round(fare * random.NextDouble() * 0.3, 2).ToString(CultureInfo.InvariantCulture));
            }

            line.Append(",Z").Append(random.Next(1, 261)).Append(',')
                .Append(Boroughs[random.Next(Boroughs.Length)]).Append('\n');
            writer.Write(line);
        }
    }
}
