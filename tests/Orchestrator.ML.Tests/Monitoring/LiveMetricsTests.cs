using Orchestrator.ML.Data;
using Orchestrator.ML.Models;
using Orchestrator.ML.Monitoring;

namespace Orchestrator.ML.Tests.Monitoring;

/// <summary>Every metric against values computed by hand from the rows written out in each test.</summary>
public sealed class LiveMetricsTests
{
    private static readonly DatasetColumn X = new("x", ColumnKind.Numeric);
    private static readonly ModelSignature Regression = new(MlTask.Regression, "y", [X]);
    private static readonly ModelSignature BoolBinary = new(MlTask.Binary, "y", [X], ["False", "True"]);
    private static readonly ModelSignature NumberBinary = new(MlTask.Binary, "y", [X], ["0", "1"]);
    private static readonly ModelSignature StringBinary = new(MlTask.Binary, "y", [X], ["no", "yes"]);
    private static readonly ModelSignature Colours = new(MlTask.Multiclass, "y", [X], ["blue", "green", "red"]);

    [Fact]
    public void Regression_HandComputed()
    {
        // labels 3, 5, 7 (mean 5, total sum of squares 8); predictions 2, 5, 9: errors 1, 0, -2.
        var metrics = LiveMetrics.Compute(Regression, Rows.Of(("2", "3"), ("5", "5"), ("9", "7")));

        Assert.Equal((3, 0), (metrics.Count, metrics.Invalid));
        Assert.Equal(5.0 / 3, metrics.Values["mse"]!.Value, 12);           // (1 + 0 + 4) / 3
        Assert.Equal(Math.Sqrt(5.0 / 3), metrics.Values["rmse"]!.Value, 12);
        Assert.Equal(1.0, metrics.Values["mae"]!.Value, 12);                // (1 + 0 + 2) / 3
        Assert.Equal(1 - (5.0 / 8), metrics.Values["r2"]!.Value, 12);       // 1 - 5 / 8
    }

    [Fact]
    public void Regression_ReadsDetailObjects_AndStringNumbers()
    {
        var metrics = LiveMetrics.Compute(Regression, Rows.Of(("""{"value":2}""", "\"3\""), ("4.5", "4")));

        Assert.Equal(2, metrics.Count);
        Assert.Equal(0.75, metrics.Values["mae"]!.Value, 12); // (1 + 0.5) / 2
        Assert.Equal(1 - (1.25 / 0.5), metrics.Values["r2"]!.Value, 12); // labels 3, 4: total 0.5; residuals 1 + 0.25
    }

    [Fact]
    public void Regression_OneRow_HasErrorsButNoR2()
    {
        var metrics = LiveMetrics.Compute(Regression, Rows.Of(("10", "12.5")));

        Assert.Equal(1, metrics.Count);
        Assert.Equal(2.5, metrics.Values["rmse"]!.Value, 12);
        Assert.Equal(2.5, metrics.Values["mae"]!.Value, 12);
        Assert.Null(metrics.Values["r2"]);
    }

    [Fact]
    public void Regression_ConstantLabels_R2IsNull_NotInfinity()
    {
        var metrics = LiveMetrics.Compute(Regression, Rows.Of(("1", "4"), ("7", "4"), ("4", "4")));

        Assert.Null(metrics.Values["r2"]);
        Assert.Equal(2.0, metrics.Values["mae"]!.Value, 12);
    }

    [Fact]
    public void Regression_UnreadableRows_AreCountedInvalid_AndLeftOut()
    {
        var metrics = LiveMetrics.Compute(Regression, Rows.Of(
            ("2", "3"), ("null", "3"), ("2", "\"abc\""), ("{\"label\":1}", "3"), ("2", "true"), ("not json", "1"), ("2", "[1]"), ("4", "5")));

        Assert.Equal((2, 6), (metrics.Count, metrics.Invalid));
        Assert.Equal(1.0, metrics.Values["mae"]!.Value, 12);
    }

    [Fact]
    public void NoRows_OrOnlyInvalidRows_GiveEveryMetricAsNull()
    {
        var none = LiveMetrics.Compute(Regression, []);
        Assert.Equal((0, 0), (none.Count, none.Invalid));
        Assert.Equal(["mae", "mse", "r2", "rmse"], none.Values.Keys.Order());
        Assert.All(none.Values.Values, Assert.Null);

        var junk = LiveMetrics.Compute(BoolBinary, Rows.Of(("true", "\"maybe\"")));
        Assert.Equal((0, 1), (junk.Count, junk.Invalid));
        Assert.All(junk.Values.Values, Assert.Null);
    }

    [Fact]
    public void Binary_HandComputed_ConfusionMatrix()
    {
        // (prediction, label): TP, TP, FP, FN, TN, TN → TP 2, FP 1, FN 1, TN 2.
        var metrics = LiveMetrics.Compute(BoolBinary, Rows.Of(
            ("true", "true"), ("true", "\"True\""), ("true", "false"), ("false", "true"), ("false", "false"), ("false", "\"false\"")));

        Assert.Equal((6, 0), (metrics.Count, metrics.Invalid));
        Assert.Equal(4.0 / 6, metrics.Values["accuracy"]!.Value, 12);
        Assert.Equal(2.0 / 3, metrics.Values["precision"]!.Value, 12);   // 2 / (2 + 1)
        Assert.Equal(2.0 / 3, metrics.Values["recall"]!.Value, 12);      // 2 / (2 + 1)
        Assert.Equal(4.0 / 6, metrics.Values["f1"]!.Value, 12);          // 2·2 / (2·2 + 1 + 1)
    }

    [Fact]
    public void Binary_NumberClasses_PositiveIsTheSecondClass_AndLabelsMatchAsNumbers()
    {
        // TP (1 vs "1.0"), FP, TN, TN.
        var metrics = LiveMetrics.Compute(NumberBinary, Rows.Of(("1", "\"1.0\""), ("1", "0"), ("0", "0"), ("0", "0")));

        Assert.Equal(0.75, metrics.Values["accuracy"]!.Value, 12);
        Assert.Equal(0.5, metrics.Values["precision"]!.Value, 12);
        Assert.Equal(1.0, metrics.Values["recall"]!.Value, 12);
        Assert.Equal(2.0 / 3, metrics.Values["f1"]!.Value, 12); // 2 / (2 + 1 + 0)
    }

    [Fact]
    public void Binary_StringClasses_DetailObjects_AndLabelsOutsideTheClasses()
    {
        var metrics = LiveMetrics.Compute(StringBinary, Rows.Of(
            ("""{"label":"yes","probability":0.9,"score":2.1}""", "\"yes\""), ("\"no\"", "\"yes\""), ("\"no\"", "\"maybe\""), ("\"perhaps\"", "\"no\""), ("\"no\"", "1")));

        Assert.Equal((2, 3), (metrics.Count, metrics.Invalid));
        Assert.Equal(0.5, metrics.Values["accuracy"]!.Value, 12);
        Assert.Equal(1.0, metrics.Values["precision"]!.Value, 12);
        Assert.Equal(0.5, metrics.Values["recall"]!.Value, 12);
    }

    [Fact]
    public void Binary_WithoutPositives_F1PrecisionRecallAreNull_AccuracyIsNot()
    {
        var metrics = LiveMetrics.Compute(BoolBinary, Rows.Of(("false", "false"), ("false", "false")));

        Assert.Equal(1.0, metrics.Values["accuracy"]!.Value, 12);
        Assert.Null(metrics.Values["f1"]);
        Assert.Null(metrics.Values["precision"]);
        Assert.Null(metrics.Values["recall"]);
    }

    [Fact]
    public void Binary_WithoutClassesInTheSignature_PredictsBooleans()
    {
        var signature = new ModelSignature(MlTask.Binary, "y", [X]);
        var metrics = LiveMetrics.Compute(signature, Rows.Of(("true", "true"), ("false", "true"), ("true", "\"x\"")));

        Assert.Equal((2, 1), (metrics.Count, metrics.Invalid));
        Assert.Equal(0.5, metrics.Values["accuracy"]!.Value, 12);
        Assert.Equal(1.0, metrics.Values["precision"]!.Value, 12);
    }

    [Fact]
    public void Multiclass_MicroAndMacroAccuracy_HandComputed()
    {
        // red: 2 rows, 1 right; blue: 1 row, right; green: 1 row, wrong. micro 2/4; macro (1/2 + 1 + 0) / 3.
        var metrics = LiveMetrics.Compute(Colours, Rows.Of(
            ("\"red\"", "\"red\""), ("\"blue\"", "\"red\""), ("\"blue\"", "\"blue\""), ("\"red\"", "\"green\"")));

        Assert.Equal((4, 0), (metrics.Count, metrics.Invalid));
        Assert.Equal(0.5, metrics.Values["microAccuracy"]!.Value, 12);
        Assert.Equal(0.5, metrics.Values["macroAccuracy"]!.Value, 12);
    }

    [Fact]
    public void Multiclass_ALabelTheModelNeverSaw_IsAMiss_ButAPredictionOutsideTheClassesIsInvalid()
    {
        var metrics = LiveMetrics.Compute(Colours, Rows.Of(
            ("\"red\"", "\"purple\""), ("\"red\"", "\"red\""), ("\"purple\"", "\"red\""), ("\"red\"", "{\"a\":1}"), ("null", "\"red\"")));

        Assert.Equal((2, 3), (metrics.Count, metrics.Invalid));
        Assert.Equal(0.5, metrics.Values["microAccuracy"]!.Value, 12);
        Assert.Equal(0.5, metrics.Values["macroAccuracy"]!.Value, 12); // purple 0/1, red 1/1
    }

    [Fact]
    public void Multiclass_NumberClasses_MatchNumbersAndStrings()
    {
        var signature = new ModelSignature(MlTask.Multiclass, "y", [X], ["1", "2", "3"]);
        var metrics = LiveMetrics.Compute(signature, Rows.Of(("2", "\"2\""), ("3", "3.0"), ("1", "2")));

        Assert.Equal(2.0 / 3, metrics.Values["microAccuracy"]!.Value, 12);
    }

    [Fact]
    public void Headlines_PerTask()
    {
        Assert.Equal(["r2", "accuracy", "microAccuracy"], new[] { MlTask.Regression, MlTask.Binary, MlTask.Multiclass }.Select(LiveMetrics.HeadlineOf));
    }
}
