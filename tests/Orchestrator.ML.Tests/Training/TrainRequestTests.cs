using System.Text.Json;
using Microsoft.ML;
using Orchestrator.ML.Data;
using Orchestrator.ML.Evaluation;
using Orchestrator.ML.Models;
using Orchestrator.ML.Training;

namespace Orchestrator.ML.Tests.Training;

public sealed class TrainRequestTests : IDisposable
{
    private readonly TrainingData data = new();

    public void Dispose() => data.Dispose();

    private static readonly Dictionary<string, object?> FewTrees = new() { ["numberOfTrees"] = 5, ["numberOfLeaves"] = 4 };

    [Fact]
    public void The_holdout_spec_recreates_the_holdout_and_its_metrics_exactly()
    {
        var result = new ModelTrainer().Train(TrainingData.TaxiRequest(data.Taxi()) with { Hyperparameters = FewTrees, Seed = 11 });
        using var model = result.Model;

        var again = ModelEvaluator.Evaluate(model, result.Holdout!);
        Assert.Equal(result.HoldoutMetrics, again.Metrics);
        Assert.Equal(result.HoldoutRows, again.Rows);
        Assert.InRange(result.HoldoutRows, 300, 500);
        Assert.Equal(2000, result.TrainingRows + result.HoldoutRows);
    }

    [Fact]
    public void The_holdout_rows_do_not_depend_on_which_columns_a_model_reads()
    {
        var dataset = data.Taxi();
        var spec = new HoldoutSpec(dataset, 0.2, 11);
        var wide = HoldoutValues(dataset, spec, [new DatasetColumn("trip_distance", ColumnKind.Numeric), new DatasetColumn("vendor_id", ColumnKind.Categorical)]);
        var narrow = HoldoutValues(dataset, spec, [new DatasetColumn("trip_distance", ColumnKind.Numeric)]);
        Assert.Equal(wide, narrow);
        Assert.NotEqual(wide, HoldoutValues(dataset, spec with { Seed = 12 }, [new DatasetColumn("trip_distance", ColumnKind.Numeric)]));
    }

    [Fact]
    public void Another_seed_gives_another_holdout_and_other_metrics()
    {
        var dataset = data.Taxi();
        using var first = new ModelTrainer().Train(TrainingData.TaxiRequest(dataset, seed: 1) with { Hyperparameters = FewTrees }).Model;
        var one = new ModelTrainer().Train(TrainingData.TaxiRequest(dataset, seed: 1) with { Hyperparameters = FewTrees });
        var two = new ModelTrainer().Train(TrainingData.TaxiRequest(dataset, seed: 2) with { Hyperparameters = FewTrees });
        one.Model.Dispose();
        two.Model.Dispose();
        Assert.NotEqual(one.HoldoutMetrics[MetricNames.Rmse], two.HoldoutMetrics[MetricNames.Rmse]);
    }

    [Fact]
    public void Hyperparameters_reach_the_trainer_from_clr_values_and_json()
    {
        var dataset = data.Taxi();
        var json = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>("""{"numberOfTrees": 5, "numberOfLeaves": 4, "learningRate": 0.3}""")!;
        var fromJson = new ModelTrainer().Train(TrainingData.TaxiRequest(dataset) with
        {
            Hyperparameters = json.ToDictionary(pair => pair.Key, pair => (object?)pair.Value),
        });
        var fromClr = new ModelTrainer().Train(TrainingData.TaxiRequest(dataset) with
        {
            Hyperparameters = new Dictionary<string, object?> { ["NumberOfTrees"] = 5, ["numberOfLeaves"] = 4L, ["learningRate"] = 0.3f },
        });
        var defaults = new ModelTrainer().Train(TrainingData.TaxiRequest(dataset));
        Assert.Equal(fromJson.HoldoutMetrics[MetricNames.Rmse], fromClr.HoldoutMetrics[MetricNames.Rmse], 6);
        Assert.NotEqual(defaults.HoldoutMetrics[MetricNames.Rmse], fromJson.HoldoutMetrics[MetricNames.Rmse]);
        fromJson.Model.Dispose();
        fromClr.Model.Dispose();
        defaults.Model.Dispose();
    }

    [Fact]
    public void Without_a_holdout_there_are_no_metrics_and_every_row_trains()
    {
        var result = new ModelTrainer().Train(TrainingData.TaxiRequest(data.Taxi()) with { Holdout = 0, Hyperparameters = FewTrees });
        result.Model.Dispose();
        Assert.Null(result.Holdout);
        Assert.Empty(result.HoldoutMetrics);
        Assert.Equal(2000, result.TrainingRows);
    }

    [Fact]
    public void Inputs_follow_features_order_and_categorical_overrides_the_schema()
    {
        var result = new ModelTrainer().Train(TrainingData.TaxiRequest(data.Taxi()) with
        {
            Features = ["trip_distance", "rate_code", "payment_type"],
            Categorical = ["rate_code"],
            Hyperparameters = FewTrees,
        });
        result.Model.Dispose();
        Assert.Equal(
            [new DatasetColumn("trip_distance", ColumnKind.Numeric), new DatasetColumn("rate_code", ColumnKind.Categorical), new DatasetColumn("payment_type", ColumnKind.Categorical)],
            result.Signature.Inputs);
        Assert.Equal("fastTree", result.Trainer);
    }

    [Fact]
    public void Classifier_labels_keep_their_own_values_and_missing_labels_are_skipped()
    {
        var dataset = data.Classes(separator: ';');
        var binary = new ModelTrainer().Train(new TrainRequest(dataset, MlTask.Binary, "binary", Ignore: ["flag", "multiclass"]));
        var flag = new ModelTrainer().Train(new TrainRequest(dataset, MlTask.Binary, "flag", Ignore: ["binary", "multiclass"]));
        var multiclass = new ModelTrainer().Train(new TrainRequest(dataset, MlTask.Multiclass, "multiclass", Ignore: ["flag", "binary"]));
        Assert.Equal(["no", "yes"], binary.Signature.Classes!);
        Assert.Equal(10, binary.SkippedRows);
        Assert.Equal(["0", "1"], flag.Signature.Classes!);
        Assert.Equal(0, flag.SkippedRows);
        Assert.Equal(["high", "low", "mid"], multiclass.Signature.Classes!);
        Assert.Equal(TrainerCatalog.LightGbm, multiclass.Trainer);
        Assert.Equal(900 - 10, binary.TrainingRows + binary.HoldoutRows);
        Assert.Equal("1", flag.Model.CreateScorer().Predict(new ModelRow([9, 0.1f], ["blue"])).Label);
        binary.Model.Dispose();
        flag.Model.Dispose();
        multiclass.Model.Dispose();
    }

    [Fact]
    public void Classes_sort_numbers_numerically_and_text_ordinally()
    {
        Assert.Equal(["-1", "1"], LabelPreparation.Order(["1", "-1"]));
        Assert.Equal(["2", "10"], LabelPreparation.Order(["10", "2"]));
        Assert.Equal(["false", "true"], LabelPreparation.Order(["true", "false"]));
        Assert.Equal(["No", "yes"], LabelPreparation.Order(["yes", "No"]));
    }

    public static TheoryData<string, Func<TrainRequest, TrainRequest>, string> BadRequests() => new()
    {
        { "unknown trainer", request => request with { Trainer = "xgboost" }, "Unknown trainer 'xgboost'; known: sdca, fastTree, fastForest, lightGbm, logisticRegression" },
        { "trainer for another task", request => request with { Trainer = "logisticRegression" }, "'logisticRegression' does not apply to regression" },
        { "unknown hyperparameter", request => request with { Hyperparameters = new Dictionary<string, object?> { ["numTrees"] = 5 } }, "Unknown hyperparameter 'numTrees' for trainer fastTree; known: " },
        { "text for a number", request => request with { Hyperparameters = new Dictionary<string, object?> { ["numberOfTrees"] = "many" } }, "'numberOfTrees' of trainer fastTree must be an integer; got \"many\"" },
        { "fraction for an integer", request => request with { Hyperparameters = new Dictionary<string, object?> { ["numberOfLeaves"] = 2.5 } }, "'numberOfLeaves' of trainer fastTree must be an integer; got 2.5" },
        { "number for a boolean", request => request with { Hyperparameters = new Dictionary<string, object?> { ["diskTranspose"] = 1 } }, "must be true or false; got 1" },
        { "missing label", request => request with { Label = "tip" }, "label 'tip' is not a column of" },
        { "text label for regression", request => request with { Label = "payment_type" }, "label 'payment_type'" },
        { "unknown feature", request => request with { Features = ["trip_distance", "tip"] }, "features names 'tip', not a column of" },
        { "unknown ignore", request => request with { Ignore = ["tips"] }, "ignore names 'tips'" },
        { "label as a feature", request => request with { Features = ["trip_distance", "fare_amount"] }, "features lists the label 'fare_amount'" },
        { "duplicate feature", request => request with { Features = ["trip_distance", "trip_distance"] }, "features lists 'trip_distance' twice" },
        { "categorical not a feature", request => request with { Features = ["trip_distance"], Categorical = ["vendor_id"] }, "categorical lists 'vendor_id', which is not a feature" },
        { "nothing left", request => request with { Features = ["trip_distance"], Ignore = ["trip_distance"] }, "No feature columns left" },
        { "holdout of 1", request => request with { Holdout = 1 }, "holdout must be at least 0 and below 1; got 1" },
        { "negative holdout", request => request with { Holdout = -0.1 }, "holdout must be at least 0 and below 1" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Bad_args_fail_saying_which_and_what_is_allowed(string _, Func<TrainRequest, TrainRequest> spoil, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new ModelTrainer().Train(spoil(TrainingData.TaxiRequest(data.Taxi(rows: 50)))));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_hyperparameter_error_lists_the_known_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => new ModelTrainer().Train(TrainingData.TaxiRequest(data.Taxi(rows: 50)) with
        {
            Hyperparameters = new Dictionary<string, object?> { ["trees"] = 5 },
        }));
        foreach (var name in new[] { "numberOfTrees", "numberOfLeaves", "learningRate", "minimumExampleCountPerLeaf" })
        {
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("labelColumnName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_trainer_exposes_its_main_hyperparameters()
    {
        Assert.Contains("l2Regularization", TrainerCatalog.KnownHyperparameters("sdca", MlTask.Regression));
        Assert.Contains("maximumNumberOfIterations", TrainerCatalog.KnownHyperparameters("sdca", MlTask.Binary));
        Assert.Contains("numberOfIterations", TrainerCatalog.KnownHyperparameters("lightGbm", MlTask.Multiclass));
        Assert.Contains("numberOfTrees", TrainerCatalog.KnownHyperparameters("fastForest", MlTask.Multiclass));
        Assert.Contains("l2Regularization", TrainerCatalog.KnownHyperparameters("logisticRegression", MlTask.Binary));
    }

    [Fact]
    public void A_model_with_one_numeric_and_one_categorical_input_scores_through_its_package()
    {
        var result = new ModelTrainer().Train(TrainingData.TaxiRequest(data.Taxi()) with { Features = ["trip_distance", "payment_type"], Hyperparameters = FewTrees });
        using var model = result.Model;
        var path = Path.Combine(data.Folder, "one.mlpkg");
        ModelPackageWriter.Write(model, path);
        using var loaded = new ModelPackageReader().Read(path);
        var near = loaded.CreateScorer().Predict(new ModelRow([0.5f], ["CSH"])).Value!.Value;
        var far = loaded.CreateScorer().Predict(new ModelRow([15f], ["CRD"])).Value!.Value;
        Assert.True(far > near + 10, $"fare for 15 miles {far}, for 0.5 miles {near}");
    }

    [Fact]
    public void A_binary_label_with_three_values_is_a_data_error()
    {
        var error = Assert.Throws<InvalidDataException>(() => new ModelTrainer().Train(
            new TrainRequest(data.Classes(), MlTask.Binary, "multiclass", Ignore: ["flag", "binary"])));
        Assert.Contains("binary needs exactly 2 label values; 'multiclass' has 3 ('high', 'low', 'mid')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_named()
    {
        var dataset = data.Taxi(rows: 10) with { Path = Path.Combine(data.Folder, "absent.csv") };
        var error = Assert.Throws<FileNotFoundException>(() => new ModelTrainer().Train(TrainingData.TaxiRequest(dataset)));
        Assert.Contains("absent.csv", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Elapsed_time_comes_from_the_time_provider()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var result = new ModelTrainer(time).Train(TrainingData.TaxiRequest(data.Taxi(rows: 200)) with { Hyperparameters = FewTrees });
        result.Model.Dispose();
        Assert.Equal(TimeSpan.Zero, result.Elapsed);
    }

    private static List<string> HoldoutValues(DatasetSource dataset, HoldoutSpec spec, IReadOnlyList<DatasetColumn> inputs)
    {
        var context = new MLContext(seed: 99);
        var raw = CsvDataLoader.Load(context, dataset, new ModelSignature(MlTask.Regression, "fare_amount", inputs));
        var holdout = HoldoutSplit.Split(context, raw, spec).Holdout;
        var values = new List<string>();
        using var cursor = holdout.GetRowCursor([holdout.Schema[ModelColumns.Numeric], holdout.Schema[ModelColumns.Label]]);
        var numeric = cursor.GetGetter<Microsoft.ML.Data.VBuffer<float>>(holdout.Schema[ModelColumns.Numeric]);
        var label = cursor.GetGetter<float>(holdout.Schema[ModelColumns.Label]);
        Microsoft.ML.Data.VBuffer<float> vector = default;
        var fare = 0f;
        while (cursor.MoveNext())
        {
            numeric(ref vector);
            label(ref fare);
            values.Add($"{vector.GetItemOrDefault(0)}:{fare}");
        }

        return values;
    }
}
