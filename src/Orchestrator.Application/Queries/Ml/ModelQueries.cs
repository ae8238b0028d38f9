using Orchestrator.Secrets.Masking;
using Orchestrator.Storage;
using Orchestrator.Storage.Ml;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Queries.Ml;

/// <summary>The model registry as the models pages and <c>/api/v1/models</c> read it.</summary>
public interface IModelQueries
{
    /// <summary>Models by name, each with its latest version and aliases.</summary>
    Task<Page<ModelSummary>> ListAsync(PageRequest page, CancellationToken cancellationToken);

    Task<ModelDetail> GetAsync(string name, CancellationToken cancellationToken);

    Task<ModelVersionView> GetVersionAsync(string name, int version, CancellationToken cancellationToken);

    /// <summary>Every move of the alias, newest first.</summary>
    Task<IReadOnlyList<AliasHistoryEntry>> AliasHistoryAsync(string name, string alias, CancellationToken cancellationToken);
}

internal sealed class ModelQueries(IMetadataStore store, SensitiveNames sensitive) : IModelQueries
{
    public async Task<Page<ModelSummary>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        // Models are few (tens), so the list is paged in memory; only the page's models have their versions read.
        var models = await store.Models.ListModelsAsync(cancellationToken);
        var items = new List<ModelSummary>();
        foreach (var model in models.Skip(page.Offset).Take(page.Limit))
        {
            var versions = await store.Models.ListVersionsAsync(model.Name, cancellationToken);
            items.Add(new ModelSummary(model.Name, model.Description, versions.Count > 0 ? versions[0].Version : null, model.Aliases, model.UpdatedAt));
        }

        return new Page<ModelSummary>(items, models.Count, page.Offset, page.Limit);
    }

    public async Task<ModelDetail> GetAsync(string name, CancellationToken cancellationToken)
    {
        var model = await RequireModelAsync(name, cancellationToken);
        var versions = await store.Models.ListVersionsAsync(name, cancellationToken);
        var datasetNames = new Dictionary<string, string?>(StringComparer.Ordinal);
        var views = new List<ModelVersionView>(versions.Count);
        foreach (var version in versions)
        {
            views.Add(await ViewAsync(version, model.Aliases, datasetNames, cancellationToken));
        }

        return new ModelDetail(model.Name, model.Description, model.Aliases, views);
    }

    public async Task<ModelVersionView> GetVersionAsync(string name, int version, CancellationToken cancellationToken)
    {
        var model = await RequireModelAsync(name, cancellationToken);
        if (version < 1)
        {
            throw ApplicationProblemException.Invalid($"version must be a version number (1, 2, …), not {version}", "version");
        }

        var record = await store.Models.GetVersionAsync(name, version, cancellationToken)
            ?? throw ApplicationProblemException.NotFound($"model '{name}' has no version {version}");
        return await ViewAsync(record, model.Aliases, new Dictionary<string, string?>(StringComparer.Ordinal), cancellationToken);
    }

    public async Task<IReadOnlyList<AliasHistoryEntry>> AliasHistoryAsync(string name, string alias, CancellationToken cancellationToken)
    {
        if (MlNames.AliasProblem(alias) is { } problem)
        {
            throw ApplicationProblemException.Invalid(problem, "alias");
        }

        await RequireModelAsync(name, cancellationToken);
        var moves = await store.Models.AliasHistoryAsync(name, alias, cancellationToken);
        return moves.Count == 0
            ? throw ApplicationProblemException.NotFound($"model '{name}' has never had an alias '{alias}'")
            : [.. moves.Select(AliasHistory.Entry)];
    }

    private async Task<RegisteredModelRecord> RequireModelAsync(string name, CancellationToken cancellationToken)
    {
        if (MlNames.ModelNameProblem(name) is { } problem)
        {
            throw ApplicationProblemException.Invalid(problem, "name");
        }

        return await store.Models.GetModelAsync(name, cancellationToken) ?? throw ApplicationProblemException.NotFound($"no model '{name}'");
    }

    private async Task<ModelVersionView> ViewAsync(
        ModelVersionRecord version, IReadOnlyDictionary<string, int> aliases, Dictionary<string, string?> datasetNames, CancellationToken cancellationToken)
    {
        string? datasetName = null;
        if (version.DatasetDigest is { } digest && !datasetNames.TryGetValue(digest, out datasetName))
        {
            datasetName = datasetNames[digest] = (await store.Datasets.GetAsync(digest, cancellationToken))?.Name;
        }

        var lineage = version.CreatedBy;
        return new ModelVersionView(
            version.Name, version.Version, version.CreatedAt,
            [.. aliases.Where(pair => pair.Value == version.Version).Select(pair => pair.Key).Order(StringComparer.Ordinal)],
            StoredJson.Parse(version.MetricsJson), StoredJson.Masked(version.ParamsJson, sensitive), StoredJson.Parse(version.SignatureJson),
            new ModelLineageView(lineage.DagId, lineage.RunId, lineage.TaskId, lineage.TryNumber, datasetName, version.DatasetDigest, version.TrackingRunId));
    }
}

internal static class AliasHistory
{
    public static AliasHistoryEntry Entry(AliasMoveRecord move) =>
        new(move.Alias, move.ToVersion, move.FromVersion, move.MovedBy, move.Reason, move.MovedAt);
}
