using System.Globalization;
using System.Text;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;
using Orchestrator.ML.Training;

namespace Orchestrator.ML.Tests.Training;

/// <summary>Small CSV files for training tests: a slice of the taxi-fare sample and generated classification data.</summary>
internal sealed class TrainingData : IDisposable
{
    public static readonly DatasetSchema TaxiSchema = new(
    [
        new("vendor_id", ColumnKind.Categorical),
        new("rate_code", ColumnKind.Numeric),
        new("passenger_count", ColumnKind.Numeric),
        new("trip_time_in_secs", ColumnKind.Numeric),
        new("trip_distance", ColumnKind.Numeric),
        new("payment_type", ColumnKind.Categorical),
        new("fare_amount", ColumnKind.Numeric),
    ]);

    public static readonly DatasetSchema ClassesSchema = new(
    [
        new("x", ColumnKind.Numeric),
        new("colour", ColumnKind.Categorical),
        new("y", ColumnKind.Numeric),
        new("binary", ColumnKind.Categorical),
        new("flag", ColumnKind.Numeric),
        new("multiclass", ColumnKind.Categorical),
    ]);

    public string Folder { get; } = Directory.CreateTempSubdirectory("ml-train-").FullName;

    public void Dispose() => Directory.Delete(Folder, recursive: true);

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Orchestrator.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Orchestrator.sln not found above the test binaries.");
    }

    /// <summary>The first <paramref name="rows"/> rows of the taxi-fare training file.</summary>
    public DatasetSource Taxi(int rows = 2000, string name = "taxi.csv")
    {
        var path = Path.Combine(Folder, name);
        var source = Path.Combine(RepositoryRoot(), "dags", "data", "taxi-fare", "taxi-fare-train.csv");
        File.WriteAllLines(path, File.ReadLines(source).Take(rows + 1));
        return new DatasetSource(path, TaxiSchema, new CsvFormat());
    }

    /// <summary>Generated rows whose labels depend on every feature: binary "no"/"yes", flag 0/1, multiclass
    /// low/mid/high. Some x values and some labels are missing.</summary>
    public DatasetSource Classes(int rows = 900, int seed = 3, string name = "classes.csv", char separator = ',')
    {
        var random = new Random(seed);
        var text = new StringBuilder();
        text.AppendLine(string.Join(separator, ClassesSchema.Columns.Select(column => column.Name)));
        string[] colours = ["red", "green", "blue"];
        for (var i = 0; i < rows; i++)
        {
            var x = random.NextDouble() * 10;
            var y = random.NextDouble() * 5;
            var colour = random.Next(3);
            var value = x - (2 * y) + (colour * 3) + (random.NextDouble() * 2);
            var binary = i % 97 == 5 ? "" : value > 3 ? "yes" : "no";
            var multiclass = value < 0 ? "low" : value < 6 ? "mid" : "high";
            text.AppendLine(string.Join(
                separator,
                i % 31 == 0 ? "" : x.ToString("0.###", CultureInfo.InvariantCulture),
                $"\"{colours[colour]}\"",
                y.ToString("0.###", CultureInfo.InvariantCulture),
                binary,
                value > 3 ? "1" : "0",
                multiclass));
        }

        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, text.ToString());
        return new DatasetSource(path, ClassesSchema, new CsvFormat(separator));
    }

    public static TrainRequest TaxiRequest(DatasetSource dataset, string? trainer = null, int seed = 1) =>
        new(dataset, MlTask.Regression, "fare_amount", trainer, Seed: seed);
}
