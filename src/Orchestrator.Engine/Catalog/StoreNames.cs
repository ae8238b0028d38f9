using Orchestrator.Loading.Folder;
using Orchestrator.Storage;

namespace Orchestrator.Engine.Catalog;

/// <summary>The models and datasets the store knows, which DAG triggers may name besides those the folder produces.</summary>
public static class StoreNames
{
    public static async Task<ExternalNames> ReadAsync(IMetadataStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var models = await store.Models.ListModelsAsync(cancellationToken);
        var datasets = await store.Datasets.ListNamesAsync(cancellationToken);
        return new ExternalNames(models.Select(m => m.Name).ToHashSet(StringComparer.Ordinal), datasets.ToHashSet(StringComparer.Ordinal));
    }
}
