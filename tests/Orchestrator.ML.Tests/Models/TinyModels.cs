using Microsoft.ML;
using Microsoft.ML.Data;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;
using Orchestrator.ML.Training;

namespace Orchestrator.ML.Tests.Models;

/// <summary>Small models trained in memory on generated rows, so package tests do not depend on the CSV trainer.</summary>
internal static class TinyModels
{
    public static readonly IReadOnlyList<DatasetColumn> Inputs =
    [
        new("x", ColumnKind.Numeric),
        new("colour", ColumnKind.Categorical),
        new("y", ColumnKind.Numeric),
    ];

    public static readonly string[] Colours = ["red", "green", "blue"];

    public sealed class Row
    {
        public float[] Numeric { get; set; } = [];

        public string[] Categorical { get; set; } = [];

        public float Regression { get; set; }

        public bool Binary { get; set; }

        public uint Multiclass { get; set; }
    }

    /// <summary>Rows whose targets depend on every input, including the categorical one, so a wrong slot order shows.</summary>
    public static List<Row> Rows(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Row>();
        for (var i = 0; i < count; i++)
        {
            var x = (float)random.NextDouble() * 10;
            var y = (float)random.NextDouble() * 5;
            var colour = random.Next(3);
            var value = (2 * x) - (3 * y) + (colour * 4) + (float)random.NextDouble();
            rows.Add(new Row
            {
                Numeric = [i % 17 == 0 ? float.NaN : x, y],
                Categorical = [Colours[colour]],
                Regression = value,
                Binary = value > 5,
                Multiclass = (uint)(value < 0 ? 1 : value < 10 ? 2 : 3),
            });
        }

        return rows;
    }

    public static IDataView Data(MLContext context, IEnumerable<Row> rows)
    {
        var definition = SchemaDefinition.Create(typeof(Row));
        definition[nameof(Row.Numeric)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 2);
        definition[nameof(Row.Categorical)].ColumnType = new VectorDataViewType(TextDataViewType.Instance, 1);
        definition[nameof(Row.Multiclass)].ColumnType = new KeyDataViewType(typeof(uint), 3);
        return context.Data.LoadFromEnumerable(rows, definition);
    }

    public static MlNetModel Train(MlTask task, int seed = 1)
    {
        var context = new MLContext(seed);
        var data = Data(context, Rows(300, seed));
        var classes = task switch
        {
            MlTask.Binary => new[] { "no", "yes" },
            MlTask.Multiclass => new[] { "low", "mid", "high" },
            _ => null,
        };
        var signature = new ModelSignature(task, "target", Inputs, classes);
        var features = FeaturePipeline.Build(context, signature);
        IEstimator<ITransformer> pipeline = task switch
        {
            MlTask.Regression => features.Append(context.Regression.Trainers.FastTree(
                nameof(Row.Regression), numberOfLeaves: 4, numberOfTrees: 10, minimumExampleCountPerLeaf: 5)),
            MlTask.Binary => features.Append(context.BinaryClassification.Trainers.FastTree(
                nameof(Row.Binary), numberOfLeaves: 4, numberOfTrees: 10, minimumExampleCountPerLeaf: 5)),
            _ => features.Append(context.MulticlassClassification.Trainers.LbfgsMaximumEntropy(nameof(Row.Multiclass))),
        };
        return new MlNetModel(context, pipeline.Fit(data), signature, "tiny");
    }

    public static ModelRow ToModelRow(Row row) => new((float[])row.Numeric.Clone(), [.. row.Categorical]);
}
