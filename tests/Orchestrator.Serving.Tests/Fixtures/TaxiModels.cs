using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;

namespace Orchestrator.Serving.Tests.Fixtures;

/// <summary>Real model packages trained with ML.NET on the first rows of the taxi-fare sample: regression (fare),
/// binary (fare above 10) and multiclass (fare band). Written in the package format ml.train writes (signature.json +
/// the ML.NET model saved with its two input vectors), then read back through the real ModelPackageReader.
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

    /// <summary>Trains and writes a package to <paramref name="path"/>.</summary>
    public static void WritePackage(MlTask task, string path, float fareScale = 1)
    {
        var context = new MLContext(seed: 1);
        var rows = Sample.Value.Select(row => new TaxiRow
        {
            Numeric = row.Numeric,
            Categorical = row.Categorical,
            Fare = row.Fare * fareScale,
            Expensive = row.Expensive,
            Band = row.Band,
        });
        var data = context.Data.LoadFromEnumerable(rows, TrainingSchema());
        var features = Featurise(context);
        IEstimator<ITransformer> pipeline = task switch
        {
            MlTask.Regression => features.Append(context.Regression.Trainers.FastTree(
                nameof(TaxiRow.Fare), numberOfLeaves: 8, numberOfTrees: 20, minimumExampleCountPerLeaf: 5)),
            MlTask.Binary => features.Append(context.BinaryClassification.Trainers.FastTree(
                nameof(TaxiRow.Expensive), numberOfLeaves: 8, numberOfTrees: 20, minimumExampleCountPerLeaf: 5)),
            _ => features.Append(context.MulticlassClassification.Trainers.LbfgsMaximumEntropy(nameof(TaxiRow.Band))),
        };
        var transformer = pipeline.Fit(data);
        var signature = new
        {
            formatVersion = ModelPackageFormat.Version,
            task = task.ToString().ToLowerInvariant(),
            label = "fare_amount",
            inputs = Inputs.Select(input => new { name = input.Name, kind = input.Kind.ToString().ToLowerInvariant() }),
            classes = task switch
            {
                MlTask.Binary => new[] { "false", "true" },
                MlTask.Multiclass => Bands,
                _ => null,
            },
            trainer = "fastTree",
        };

        using var file = File.Create(path);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        using (var entry = zip.CreateEntry(ModelPackageFormat.SignatureEntry).Open())
        {
            JsonSerializer.Serialize(entry, signature);
        }

        using var model = zip.CreateEntry(ModelPackageFormat.ModelEntry, CompressionLevel.NoCompression).Open();
        using var buffer = new MemoryStream();
        context.Model.Save(transformer, InputSchema(), buffer);
        buffer.Position = 0;
        buffer.CopyTo(model);
    }

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

    private static EstimatorChain<ColumnConcatenatingTransformer> Featurise(MLContext context) =>
        context.Transforms.ReplaceMissingValues("Numeric", replacementMode: MissingValueReplacingEstimator.ReplacementMode.Mean)
            .Append(context.Transforms.NormalizeMinMax("Numeric"))
            .Append(context.Transforms.Categorical.OneHotEncoding("CategoricalOneHot", "Categorical"))
            .Append(context.Transforms.Concatenate("Features", "Numeric", "CategoricalOneHot"));

    private static SchemaDefinition TrainingSchema()
    {
        var definition = SchemaDefinition.Create(typeof(TaxiRow));
        definition[nameof(TaxiRow.Numeric)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 4);
        definition[nameof(TaxiRow.Categorical)].ColumnType = new VectorDataViewType(TextDataViewType.Instance, 2);
        definition[nameof(TaxiRow.Band)].ColumnType = new KeyDataViewType(typeof(uint), 3);
        return definition;
    }

    private static DataViewSchema InputSchema()
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumn("Numeric", new VectorDataViewType(NumberDataViewType.Single, 4));
        builder.AddColumn("Categorical", new VectorDataViewType(TextDataViewType.Instance, 2));
        return builder.ToSchema();
    }

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
