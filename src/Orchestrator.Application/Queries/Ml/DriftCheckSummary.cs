using System.Globalization;
using System.Text.Json;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Queries.Ml;

/// <summary>One line saying what a drift check found, for lists (CLI table, API) where share and threshold alone do
/// not say it: for ml.performance the share is the clamped relative change of a metric, not a share of features.</summary>
public static class DriftCheckSummary
{
    public static string Of(DriftCheckRecord check)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (check.Kind == DriftCheckKinds.Performance && Performance(check.DetailsJson) is { } performance)
        {
            return performance;
        }

        var share = check.Share.ToString("0.##", CultureInfo.InvariantCulture);
        return check.DriftedFeatures.Count == 0
            ? $"no feature drifted (share {share})"
            : $"{check.DriftedFeatures.Count} feature(s) drifted (share {share} ≥ {check.ShareThreshold.ToString("0.##", CultureInfo.InvariantCulture)}): {string.Join(", ", check.DriftedFeatures)}";
    }

    /// <summary>"rmse live 12.3 vs 2 registered (515% worse)" from the details ml.performance stores.</summary>
    private static string? Performance(string? details)
    {
        if (details is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(details);
            var root = document.RootElement;
            if (!root.TryGetProperty("metric", out var metric) || !root.TryGetProperty("live", out var live) || !root.TryGetProperty("baseline", out var baseline)
                || live.ValueKind != JsonValueKind.Number || baseline.ValueKind != JsonValueKind.Number)
            {
                return null;
            }

            var change = root.TryGetProperty("change", out var value) && value.ValueKind == JsonValueKind.Number
                ? $" ({Math.Abs(value.GetDouble()).ToString("0.#%", CultureInfo.InvariantCulture)} {(value.GetDouble() >= 0 ? "worse" : "better")})"
                : "";
            return $"{metric.GetString()} live {live.GetDouble().ToString("0.###", CultureInfo.InvariantCulture)} vs {baseline.GetDouble().ToString("0.###", CultureInfo.InvariantCulture)} registered{change}";
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
