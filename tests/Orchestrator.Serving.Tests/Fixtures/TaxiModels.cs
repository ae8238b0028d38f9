using System.Globalization;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;
using Orchestrator.ML.Training;

namespace Orchestrator.Serving.Tests.Fixtures;

/// <summary>Real model packages trained by ml.train's trainer on the first rows of the taxi-fare sample: regression
/// (fare), binary (fare above 10) and multiclass (fare band), read back through the real ModelPackageReader.
/// A fare scale multiplies the regression target, so two versions are told apart by their answers.</summary>
internal static class TaxiModels
{
    public static readonly IReadOnlyList<DatasetColumn> Inputs =
    [
        new("vendor_id", ColumnKind.Categorical),
        new("rate_code", ColumnKind.Numeric),
        new("passenger_count", ColumnKind.Numeric),
        new("trip_time_in_secs", ColumnKind.Numeric),
        new("trip_distance", ColumnKind.Numeric),
        new("payment_type", ColumnKind.Categorical),
    ];

    public static readonly string[] Bands = ["low", "mid", "high"];

    private static readonly Lazy<List<TaxiRow>> Sample = new(() => ReadSample(2000));

    public sealed class TaxiRow
    {
        public float[] Numeric { get; set; } = [];

        public string[] Categorical { get; set; } = [];

        public float Fare { get; set; }

        public bool Expensive { get; set; }

        public uint Band { get; set; }
    }

    public static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Orchestrator.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Orchestrator.sln not found above the test folder");
    }

    /// <summary>Trains through ml.train's <see cref="ModelTrainer"/> on a CSV of the sample (label column "target":
    /// the fare × scale, fare above 10, or the fare band) and writes the package to <paramref name="path"/>.</summary>
    public static void WritePackage(MlTask task, string path, float fareScale = 1)
    {
        var csv = Path.ChangeExtension(path, ".csv");
        var lines = new List<string> { "vendor_id,rate_code,passenger_count,trip_time_in_secs,trip_distance,payment_type,target" };
        foreach (var row in Sample.Value)
        {
            var target = task switch
            {
                MlTask.Regression => (row.Fare * fareScale).ToString(CultureInfo.InvariantCulture),
                MlTask.Binary => row.Expensive ? "true" : "false",
                _ => Bands[row.Band - 1],
            };
            lines.Add(string.Join(',', row.Categorical[0], N(row.Numeric[0]), N(row.Numeric[1]), N(row.Numeric[2]), N(row.Numeric[3]), row.Categorical[1], target));
        }

        File.WriteAllLines(csv, lines);
        var schema = new DatasetSchema([.. Inputs, new DatasetColumn("target", task == MlTask.Regression ? ColumnKind.Numeric : ColumnKind.Categorical)]);
        var result = new ModelTrainer().Train(new TrainRequest(
            new DatasetSource(csv, schema, new CsvFormat()), task, "target",
            Trainer: task == MlTask.Multiclass ? TrainerCatalog.LogisticRegression : TrainerCatalog.FastTree,
            Holdout: 0, Seed: 1));
        using var model = result.Model;
        ModelPackageWriter.Write(model, path);
    }

    private static string N(float value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The sample's rows as request records (column → value), for sending to the server.</summary>
    public static IReadOnlyList<Dictionary<string, object>> Records(int count) =>
        [.. Sample.Value.Take(count).Select(row => new Dictionary<string, object>
        {
            ["vendor_id"] = row.Categorical[0],
            ["rate_code"] = row.Numeric[0],
            ["passenger_count"] = row.Numeric[1],
            ["trip_time_in_secs"] = row.Numeric[2],
            ["trip_distance"] = row.Numeric[3],
            ["payment_type"] = row.Categorical[1],
        })];

    private static List<TaxiRow> ReadSample(int count)
    {
        var path = Path.Combine(RepositoryRoot(), "dags", "data", "taxi-fare", "taxi-fare-train.csv");
        var rows = new List<TaxiRow>();
        foreach (var line in File.ReadLines(path).Skip(1).Take(count))
        {
            var cells = line.Split(',');
            float Number(int i) => float.Parse(cells[i], CultureInfo.InvariantCulture);
            var fare = Number(6);
            rows.Add(new TaxiRow
            {
                Numeric = [Number(1), Number(2), Number(3), Number(4)],
                Categorical = [cells[0], cells[5]],
                Fare = fare,
                Expensive = fare > 10,
                Band = fare < 7 ? 1u : fare < 15 ? 2u : 3u,
            });
        }

        return rows;
    }
}
