using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Durations;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.ML.Models;
using Orchestrator.ML.Monitoring;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tasks;

/// <summary>ml.performance's output. <see cref="Degraded"/> is null when there was no verdict (too few labelled rows,
/// or a metric the rows do not define); then no check is recorded and <see cref="CheckId"/> is null.</summary>
public sealed record PerformanceOutput(string Kind, string Model, int Version, string Metric, double? Live, double? Baseline, double? Change,
    int Rows, int InvalidRows, bool? Degraded, long? CheckId, bool EventEmitted, IReadOnlyList<string> Reasons);

/// <summary><c>ml.performance {model, metric, window?: "1h", alias?: "production", maxDrop?, minValue?, maxValue?,
/// minRows?: 30}</c>: the live value of <c>metric</c> for the model's <c>alias</c> version over the labelled rows of
/// the last <c>window</c>, against the value registered with that version (ml.evaluate's). Degraded when it is worse by
/// more than <c>maxDrop</c> (relative) or outside [<c>minValue</c>, <c>maxValue</c>]; then a performance drift check
/// is recorded and a <c>drift</c> event with reason "performance" emitted. Succeeds either way.</summary>
public sealed class PerformanceTask(IMetadataStore store) : ITaskExecutor
{
    public const string OutputKind = "performance";
    public const int DefaultMinRows = 30;
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(1);

    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        context.RequireKnownArgs("model", "metric", "window", "alias", "maxDrop", "minValue", "maxValue", "minRows");
        var args = context.Args;
        var model = ModelNames.Require(context, "model", args.RequireString("model"));
        var metric = args.RequireString("metric");
        var alias = args.GetString("alias") ?? DriftTask.DefaultAlias;
        var window = Window(context);
        var limits = Limits(context);

        var version = await store.Models.GetByAliasAsync(model, alias, cancellationToken)
            // Nothing deployed yet (an hourly monitor set up before the first training): skipped, with the reason shown.
            ?? throw await ModelNames.NothingDeployedAsync(store, model, alias, "nothing to check", cancellationToken);
        var signature = Signature(context, version);
        if (!LiveMetrics.NamesOf(signature.Task).Contains(metric))
            throw context.ArgError("metric", $"is '{metric}'; a {signature.Task.ToString().ToLowerInvariant()} model's live metrics are {string.Join(", ", LiveMetrics.NamesOf(signature.Task))}");
        var baseline = RegisteredMetric(version, metric);
        if (limits.MaxDrop is not null && limits.MinValue is null && limits.MaxValue is null && baseline is null)
            throw new TaskFailedException($"task '{context.TaskId}': {model} version {version.Version} has no registered '{metric}' to measure maxDrop against (evaluate it before registering, or use minValue/maxValue)");

        var now = context.Time.GetUtcNow();
        var rows = await store.Inference.ReadLabeledAsync(new InferenceWindow(model, now - window, now, version.Version), cancellationToken);
        var live = LiveMetrics.Compute(signature, rows);
        var value = live.Values[metric];
        var verdict = PerformanceVerdict.Judge(metric, value, baseline, live.Count, limits);

        long? checkId = null;
        var emitted = false;
        if (verdict.Degraded is { } degraded)
        {
            var details = JsonSerializer.Serialize(new
            {
                metric, live = value, baseline, change = verdict.Change, limits.MaxDrop, limits.MinValue, limits.MaxValue,
                rows = live.Count, invalidRows = live.Invalid, window = args.GetString("window") ?? "1h", reasons = verdict.Reasons,
            }, MlJson.Options);
            // The drift check's share is the relative drop (0 when no worse, at most 1) and its threshold maxDrop, so the
            // drift listing reads the same for both kinds; the metric is the one "feature" that drifts.
            var (check, _) = await store.DriftChecks.RecordAsync(new NewDriftCheck(DriftCheckKinds.Performance, model, version.Version, now, context.Lineage(),
                degraded, Clamp(verdict.Change), Clamp(limits.MaxDrop), degraded ? [metric] : [], 0, live.Count, null, details), cancellationToken);
            checkId = check.Id;
            if (degraded)
            {
                var (recorded, created) = await store.Events.EmitAsync(
                    DriftEvent.Create(context, model, version.Version, Clamp(verdict.Change), [metric], check.Id, "performance"), cancellationToken);
                emitted = true;
                context.Logger.LogInformation("Drift event {EventId} for {Model}{Again}", recorded.Id, model, created ? "" : " (recorded already by an earlier try)");
            }
        }

        context.Logger.LogInformation("{Verdict} for {Model} v{Version}: {Reasons}",
            verdict.Degraded switch { true => "Performance degraded", false => "Performance healthy", null => "No performance verdict" },
            model, version.Version, string.Join("; ", verdict.Reasons));
        return MlJson.ToElement(new PerformanceOutput(OutputKind, model, version.Version, metric, value, baseline, verdict.Change,
            live.Count, live.Invalid, verdict.Degraded, checkId, emitted, verdict.Reasons));
    }

    private static TimeSpan Window(TaskContext context) => context.Args.GetString("window") is { } text
        ? DurationParser.TryParse(text, out var span) && span > TimeSpan.Zero ? span : throw context.ArgError("window", $"is '{text}'; expected a duration such as \"1h\" or \"30m\"")
        : DefaultWindow;

    private static PerformanceLimits Limits(TaskContext context)
    {
        var args = context.Args;
        var maxDrop = args.GetNumber("maxDrop");
        var minValue = args.GetNumber("minValue");
        var maxValue = args.GetNumber("maxValue");
        if (maxDrop is < 0 || (maxDrop is { } drop && !double.IsFinite(drop)))
            throw context.ArgError("maxDrop", $"is {Show(maxDrop.Value)}; expected a relative drop ≥ 0 (0.1: 10 % worse than registered)");
        if (maxDrop is null && minValue is null && maxValue is null)
            throw context.ArgError("maxDrop", "is missing, and so are minValue and maxValue; give at least one limit to judge the metric by");
        if (minValue is { } min && maxValue is { } max && min > max)
            throw context.ArgError("minValue", $"is {Show(min)}, above maxValue {Show(max)}");
        var minRows = args.GetInt("minRows") ?? DefaultMinRows;
        if (minRows < 1)
            throw context.ArgError("minRows", $"is {minRows}; expected a whole number ≥ 1");
        return new PerformanceLimits(maxDrop, minValue, maxValue, minRows);
    }

    private static ModelSignature Signature(TaskContext context, ModelVersionRecord version)
    {
        try
        {
            return ModelSignatureJson.FromJson(version.SignatureJson);
        }
        catch (Exception bad) when (bad is JsonException or InvalidDataException or ArgumentException)
        {
            throw new TaskFailedException($"task '{context.TaskId}': {version.Name} version {version.Version} has no readable signature, so its task kind is unknown ({bad.Message})");
        }
    }

    /// <summary>The metric as registered with the version (ml.evaluate's holdout value), if it was.</summary>
    private static double? RegisteredMetric(ModelVersionRecord version, string metric)
    {
        try
        {
            using var metrics = JsonDocument.Parse(version.MetricsJson);
            return metrics.RootElement.ValueKind == JsonValueKind.Object
                && metrics.RootElement.TryGetProperty(metric, out var value) && value.ValueKind == JsonValueKind.Number
                ? value.GetDouble()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static double Clamp(double? value) => Math.Clamp(value ?? 0, 0, 1);

    private static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);
}
