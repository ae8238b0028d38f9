using Orchestrator.Execution.TaskTypes;
using Orchestrator.ML.Data;
using Orchestrator.ML.Training;
using Orchestrator.Storage;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Records;

namespace Orchestrator.ML.Tasks;

/// <summary>Turns a recorded dataset version into something to read: the stored copy of its bytes (never the source
/// file, which may have changed since), its schema and profile.</summary>
public sealed class DatasetSources(IMetadataStore store, IArtifactStore artifacts)
{
    public async Task<DatasetVersionRecord> RecordAsync(string digest, CancellationToken cancellationToken) =>
        await store.Datasets.GetAsync(digest, cancellationToken)
        ?? throw new TaskFailedException($"dataset {digest[..12]} is not recorded in this store (was it ingested on another home?)");

    /// <summary>The stored bytes read the way the ingest that produced <paramref name="dataset"/> read them.</summary>
    public Task<DatasetSource> SourceAsync(DatasetOutput dataset, CancellationToken cancellationToken) =>
        SourceAsync(dataset.Dataset, dataset.Separator, dataset.Schema, cancellationToken);

    /// <summary>The stored bytes with a separator and a schema (<see cref="DatasetSchemaJson"/>); a null schema: the
    /// one the version was first recorded with.</summary>
    public async Task<DatasetSource> SourceAsync(string digest, string separator, string? schema, CancellationToken cancellationToken)
    {
        var record = await RecordAsync(digest, cancellationToken);
        string path;
        try
        {
            path = await artifacts.GetLocalPathAsync(digest, cancellationToken);
        }
        catch (FileNotFoundException)
        {
            throw new TaskFailedException($"dataset {record.Name} ({digest[..12]}) is recorded but its bytes are missing from the artifact store");
        }

        var parsed = DatasetSchemaJson.FromJson(schema ?? record.SchemaJson);
        return new DatasetSource(path, parsed, new CsvFormat(CsvSeparator.Parse(separator)));
    }

    /// <summary>The profile this dataset output's ingest made (kept as an artifact), else the version's first one.</summary>
    public async Task<DatasetProfile> ProfileAsync(DatasetOutput dataset, CancellationToken cancellationToken)
    {
        if (dataset.Profile is not { } digest)
        {
            return DatasetProfile.FromJson((await RecordAsync(dataset.Dataset, cancellationToken)).ProfileJson);
        }

        await using var stream = await artifacts.OpenReadAsync(digest, cancellationToken);
        using var reader = new StreamReader(stream);
        return DatasetProfile.FromJson(await reader.ReadToEndAsync(cancellationToken));
    }
}
