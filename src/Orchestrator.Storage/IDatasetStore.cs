using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>Dataset versions recorded by <c>ml.ingest</c>, addressed by content digest.</summary>
public interface IDatasetStore
{
    /// <summary>Records the version unless one with its digest exists; returns the stored one (the first recorded,
    /// when the bytes were seen before) and whether this call created it.</summary>
    Task<(DatasetVersionRecord Version, bool Created)> RecordAsync(DatasetVersionRecord version, CancellationToken cancellationToken);

    Task<DatasetVersionRecord?> GetAsync(string digest, CancellationToken cancellationToken);

    /// <summary>The versions recorded under a name, newest first; bytes first seen under another name are listed
    /// here too (their record keeps the first name).</summary>
    Task<IReadOnlyList<DatasetVersionRecord>> ListAsync(string name, CancellationToken cancellationToken);
}
