using System.Text;
using Orchestrator.Loading;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Catalog;

/// <summary>Records a loaded DAG and its version (with the file's text) in the store, so a run can name the
/// exact code it ran.</summary>
public static class DagRegistration
{
    public static async Task RegisterAsync(IMetadataStore store, LoadedDag dag, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(dag);
        var source = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(dag.FilePath, cancellationToken));
        await store.Dags.UpsertAsync(new DagVersionRecord(dag.Id, dag.Version, dag.FilePath, source, at), dag.Definition.Schedule, cancellationToken);
    }
}
