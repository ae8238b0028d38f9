using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Durations;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.ML.Data;
using Orchestrator.ML.Drift;
using Orchestrator.ML.Models;
using Orchestrator.Storage;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tasks;

/// <summary>ml.drift's output: the verdict, the check recorded, and the report artifact with a per-feature summary.</summary>
public sealed record DriftOutput(string Kind, string? Model, int? Version, bool Drifted, double Share, double ShareThreshold,
    IReadOnlyList<string> DriftedFeatures, long CheckId, bool EventEmitted, DriftReportSummary Report);

/// <summary>Where the whole report is (<see cref="Artifact"/>: its digest in the artifact store) and each feature's verdict.</summary>
public sealed record DriftReportSummary(string Artifact, int TestedFeatures, IReadOnlyList<DriftFeatureSummary> Features);

public sealed record DriftFeatureSummary(string Name, string? Test, double? Score, double? Threshold, bool Drifted);

/// <summary><c>ml.drift {model?, dataset?, reference?, window?, shareThreshold?: 0.5, psi?, columns?, label?, minRows?,
/// alias?: "production", separator?}</c>: compares current data (the ingest task <c>dataset</c> names, else the model's
/// logged serving inputs over <c>window</c>) with a reference (the ingest task <c>reference</c> names, else the training
/// dataset of the model's <c>alias</c> version), feature by feature with Evidently's default tests, stores the report,
/// records the check and, when the dataset drifted and a model is named, emits a <c>drift</c> event. Succeeds either
/// way.</summary>
public sealed class DriftTask(IMetadataStore store, IArtifactStore artifacts, DatasetSources sources) : ITaskExecutor
{
    public const string OutputKind = "drift";
    public const string DefaultAlias = "production";

    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        context.RequireKnownArgs("model", "dataset", "reference", "window", "shareThreshold", "psi", "columns", "label", "minRows", "alias", "separator");
        var args = context.Args;
        var model = args.GetString("model") is { } named ? ModelNames.Require(context, "model", named) : null;
        var alias = args.GetString("alias") ?? DefaultAlias;
        var options = new DatasetDriftOptions
        {
            ShareThreshold = Share(context, args.GetNumber("shareThreshold") ?? DatasetDriftRule.DefaultShare),
            Psi = args.GetBool("psi") ?? false,
            MinRows = args.GetInt("minRows") is { } minRows and < 1 ? throw context.ArgError("minRows", $"is {minRows}; expected a whole number ≥ 1") : args.GetInt("minRows") ?? 1,
        };
        var window = args.GetString("window") is { } text
            ? DurationParser.TryParse(text, out var span) && span > TimeSpan.Zero ? span : throw context.ArgError("window", $"is '{text}'; expected a duration such as \"1h\" or \"30m\"")
            : (TimeSpan?)null;

        // The model version compared against: its signature chooses the features, its training data is the default
        // reference.
        ModelVersionRecord? version = null;
        if (model is not null)
        {
            version = await store.Models.GetByAliasAsync(model, alias, cancellationToken);
            if (version is null && args.GetString("reference") is null)
                // Nothing deployed yet (an hourly monitor set up before the first training): skipped, with the reason shown.
                throw await ModelNames.NothingDeployedAsync(store, model, alias, "nothing to compare with (deploy one, or name an ingest task in args.reference)", cancellationToken);
        }

        var referenceDataset = args.GetString("reference") is { } refTask ? context.OutputOfTask<DatasetOutput>("reference", refTask, MlOutputKinds.Dataset) : null;
        DatasetOutput? currentDataset = null;
        if (args.GetString("dataset") is not null || window is null)
            currentDataset = context.Dataset();
        if (currentDataset is null && model is null)
            throw context.ArgError("window", "reads the model's inference log, so args.model is needed too");

        var features = await FeaturesAsync(context, version, referenceDataset, cancellationToken);
        var (reference, referenceSide) = referenceDataset is not null
            ? (await ReadAsync(referenceDataset, features, cancellationToken), Side("dataset", referenceDataset))
            : await ReadTrainingAsync(context, version!, features, cancellationToken);
        var now = context.Time.GetUtcNow();
        var (current, currentSide) = currentDataset is not null
            ? (await ReadAsync(currentDataset, features, cancellationToken), Side("dataset", currentDataset))
            : await ReadInferenceLogAsync(model!, now - window!.Value, now, features, cancellationToken);

        DatasetDriftResult result;
        try
        {
            result = DatasetDrift.Compute(reference, current, options);
        }
        catch (ArgumentException bad)
        {
            throw new TaskFailedException($"task '{context.TaskId}': {bad.Message}");
        }

        if (result.TestedFeatures == 0)
            // Not "no drift": nothing was measured. No check is recorded (it would chart as a healthy point).
            throw new TaskSkippedException($"no feature had enough values to test (minRows {options.MinRows}; {currentSide.Rows} current row(s), {referenceSide.Rows} reference row(s)): no verdict");

        var report = DriftReport.From(result, model, version?.Version, now, referenceSide, currentSide);
        var stored = await artifacts.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes(report.ToJson())), cancellationToken);
        var (check, _) = await store.DriftChecks.RecordAsync(new NewDriftCheck(DriftCheckKinds.Data, model, version?.Version, now, context.Lineage(),
            result.Drifted, result.Share, result.ShareThreshold, result.DriftedFeatures, referenceSide.Rows, currentSide.Rows, stored.Digest), cancellationToken);

        var emitted = false;
        if (result.Drifted && model is not null)
        {
            var (recorded, created) = await store.Events.EmitAsync(
                DriftEvent.Create(context, model, version?.Version, result.Share, result.DriftedFeatures, check.Id, "data"), cancellationToken);
            emitted = true;
            context.Logger.LogInformation("Drift event {EventId} for {Model}{Again}", recorded.Id, model, created ? "" : " (recorded already by an earlier try)");
        }

        context.Logger.LogInformation("{Verdict}: {Drifted} of {Tested} features drifted (share {Share:0.###}, threshold {Threshold}){Names}; report {Report}, check {Check}",
            result.Drifted ? "Dataset drift" : "No dataset drift", result.DriftedFeatures.Count, result.TestedFeatures, result.Share, result.ShareThreshold,
            result.DriftedFeatures.Count > 0 ? $": {string.Join(", ", result.DriftedFeatures)}" : "", stored.Digest[..12], check.Id);

        return MlJson.ToElement(new DriftOutput(OutputKind, model, version?.Version, result.Drifted, result.Share, result.ShareThreshold,
            result.DriftedFeatures, check.Id, emitted,
            new DriftReportSummary(stored.Digest, result.TestedFeatures,
                [.. report.Features.Select(f => new DriftFeatureSummary(f.Name, f.Test, f.PValue ?? f.Distance, f.Threshold, f.Drifted))])));
    }

    private static double Share(TaskContext context, double share) =>
        share > 0 && share <= 1 ? share : throw context.ArgError("shareThreshold", $"is {share.ToString(CultureInfo.InvariantCulture)}; expected a share in (0, 1]");

    /// <summary>The model's input columns; without a model, the reference dataset's columns less the label. <c>columns</c>
    /// narrows either to the ones it names.</summary>
    private async Task<IReadOnlyList<DatasetColumn>> FeaturesAsync(TaskContext context, ModelVersionRecord? version, DatasetOutput? referenceDataset, CancellationToken cancellationToken)
    {
        IReadOnlyList<DatasetColumn> all;
        if (version is not null)
        {
            all = ModelSignatureJson.FromJson(version.SignatureJson).Inputs;
        }
        else
        {
            var schema = (await sources.SourceAsync(referenceDataset!, cancellationToken)).Schema;
            var label = context.Args.GetString("label");
            if (label is not null && schema.IndexOf(label) < 0)
                throw context.ArgError("label", $"is '{label}', which is not a column of the reference dataset ({CsvDataLoaderNames(schema)})");
            all = [.. schema.Columns.Where(column => column.Name != label)];
        }

        if (context.Args.GetStringList("columns") is not { } wanted)
            return all;
        foreach (var name in wanted)
        {
            if (all.All(column => column.Name != name))
                throw context.ArgError("columns", $"names '{name}', which is not a feature here (features: {string.Join(", ", all.Select(c => c.Name))})");
        }

        return [.. all.Where(column => wanted.Contains(column.Name))];
    }

    private static string CsvDataLoaderNames(DatasetSchema schema) => string.Join(", ", schema.Columns.Select(c => c.Name));

    private async Task<IReadOnlyList<DriftFeatureData>> ReadAsync(DatasetOutput dataset, IReadOnlyList<DatasetColumn> features, CancellationToken cancellationToken)
    {
        var source = await sources.SourceAsync(dataset, cancellationToken);
        return await ReadSourceAsync(source.Path, source.Format, dataset.Name, features, cancellationToken);
    }

    private async Task<(IReadOnlyList<DriftFeatureData>, DriftDataSide)> ReadTrainingAsync(TaskContext context, ModelVersionRecord version, IReadOnlyList<DatasetColumn> features, CancellationToken cancellationToken)
    {
        if (version.DatasetDigest is not { } digest)
            throw new TaskFailedException($"task '{context.TaskId}': {version.Name} version {version.Version} has no training dataset in its lineage; name an ingest task in args.reference");
        var source = await sources.SourceAsync(digest, context.Args.GetString("separator") ?? ",", null, cancellationToken);
        var record = await sources.RecordAsync(digest, cancellationToken);
        var columns = await ReadSourceAsync(source.Path, source.Format, record.Name, features, cancellationToken);
        return (columns, new DriftDataSide("training", record.Rows, digest, record.Name));
    }

    private static async Task<IReadOnlyList<DriftFeatureData>> ReadSourceAsync(string path, CsvFormat format, string name, IReadOnlyList<DatasetColumn> features, CancellationToken cancellationToken)
    {
        try
        {
            return await CsvDriftColumns.ReadAsync(path, format, features, cancellationToken);
        }
        catch (DatasetFormatException bad)
        {
            // The stored copy's path says nothing to a DAG author; the dataset's name does.
            throw new TaskFailedException($"dataset '{name}': {bad.Problem}{(bad.Column is null ? "" : $" (column '{bad.Column}', line {bad.Line})")}");
        }
    }

    private async Task<(IReadOnlyList<DriftFeatureData>, DriftDataSide)> ReadInferenceLogAsync(string model, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<DatasetColumn> features, CancellationToken cancellationToken)
    {
        var rows = await store.Inference.ReadAsync(new InferenceWindow(model, from, to), cancellationToken);
        try
        {
            return (InferenceDriftColumns.From(rows.Select(row => row.Inputs), features), new DriftDataSide("inferenceLog", rows.Count, From: from, To: to));
        }
        catch (Exception bad) when (bad is InvalidDataException or JsonException)
        {
            throw new TaskFailedException($"inference log of '{model}': {bad.Message}");
        }
    }

    private static DriftDataSide Side(string source, DatasetOutput dataset) => new(source, dataset.Rows, dataset.Dataset, dataset.Name);
}
