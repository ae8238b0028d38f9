using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.ML.Drift;

/// <summary>Where one side of a drift check came from: a dataset version (<c>dataset</c>: its digest), the training
/// dataset of a model version (<c>training</c>), or the model's inference log over a window (<c>inferenceLog</c>).</summary>
public sealed record DriftDataSide(string Source, long Rows, string? Dataset = null, string? Name = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>A feature's histogram in the report: numeric bins by <see cref="Edges"/> (shared by both sides, n+1 edges)
/// or category bins by <see cref="Labels"/>; shares of each side per bin.</summary>
public sealed record DriftHistogram(double[]? Edges, IReadOnlyList<string>? Labels, double[] Reference, double[] Current);

/// <summary>One feature in the report. <see cref="PValue"/> is set for ks/chisquare, <see cref="Distance"/> for
/// wasserstein/jensenshannon/psi; <see cref="Skipped"/> when it was not tested.</summary>
public sealed record DriftReportFeature(
    string Name,
    string Kind,
    string? Test,
    double? Statistic,
    double? PValue,
    double? Distance,
    double? Threshold,
    bool Drifted,
    int ReferenceRows,
    int CurrentRows,
    DriftHistogram? Histogram,
    string? Skipped);

/// <summary>The drift report artifact: what was compared, the dataset-level verdict and every feature's test, score,
/// threshold, verdict and histograms. Stored as JSON in the artifact store; served by the drift API.</summary>
public sealed record DriftReport(
    string Kind,
    string? Model,
    int? Version,
    DateTimeOffset At,
    DriftDataSide Reference,
    DriftDataSide Current,
    bool Drifted,
    double Share,
    double ShareThreshold,
    int TestedFeatures,
    IReadOnlyList<string> DriftedFeatures,
    IReadOnlyList<DriftReportFeature> Features)
{
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // A chi-squared statistic is infinite when the current data has a category the reference never saw.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static DriftReport From(DatasetDriftResult result, string? model, int? version, DateTimeOffset at, DriftDataSide reference, DriftDataSide current)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new DriftReport("data", model, version, at, reference, current, result.Drifted, result.Share, result.ShareThreshold,
            result.TestedFeatures, result.DriftedFeatures, [.. result.Features.Select(Feature)]);
    }

    /// <summary>Evidently's test names.</summary>
    public static string TestName(DriftMethod method) => method switch
    {
        DriftMethod.KolmogorovSmirnov => "ks",
        DriftMethod.ChiSquared => "chisquare",
        DriftMethod.Wasserstein => "wasserstein",
        DriftMethod.JensenShannon => "jensenshannon",
        DriftMethod.Psi => "psi",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown drift method."),
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DriftReport FromJson(string json) =>
        JsonSerializer.Deserialize<DriftReport>(json, Json) ?? throw new InvalidDataException("drift report JSON is null");

    private static DriftReportFeature Feature(FeatureDrift feature)
    {
        var kind = feature.Kind == DriftColumnKind.Numeric ? "numeric" : "categorical";
        if (feature.Test is not { } test)
            return new DriftReportFeature(feature.Name, kind, null, null, null, null, null, false, feature.ReferenceRows, feature.CurrentRows, null, feature.Skipped);
        var isPValue = test.Method is DriftMethod.KolmogorovSmirnov or DriftMethod.ChiSquared;
        return new DriftReportFeature(feature.Name, kind, TestName(test.Method), test.Statistic,
            isPValue ? test.Score : null, isPValue ? null : test.Score, test.Threshold, test.Drifted,
            feature.ReferenceRows, feature.CurrentRows,
            new DriftHistogram(test.Bins.Edges, test.Bins.Labels, test.Bins.Reference, test.Bins.Current), null);
    }
}
