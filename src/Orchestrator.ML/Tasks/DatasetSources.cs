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

    public async Task<DatasetSource> SourceAsync(string digest, string separator, CancellationToken cancellationToken)
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

        return new DatasetSource(path, DatasetSchemaJson.FromJson(record.SchemaJson), new CsvFormat(CsvSeparator.Parse(separator)));
    }

    public async Task<DatasetProfile> ProfileAsync(string digest, CancellationToken cancellationToken) =>
        DatasetProfile.FromJson((await RecordAsync(digest, cancellationToken)).ProfileJson);
}
