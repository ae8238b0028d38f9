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

    /// <summary>One page of every (name, version) pair recorded, newest recording first (then by name and digest),
    /// and how many pairs there are: what the datasets page lists.</summary>
    Task<(IReadOnlyList<DatasetListingRecord> Items, int Total)> ListAllAsync(int offset, int limit, CancellationToken cancellationToken);

    /// <summary>Every name a version was recorded under, sorted (what a dataset trigger may name).</summary>
    Task<IReadOnlyList<string>> ListNamesAsync(CancellationToken cancellationToken);
}

/// <summary>A dataset version as listed under one of its names: the name, when the bytes were first recorded under
/// it, and the version (whose own <see cref="DatasetVersionRecord.Name"/> is the first name it was recorded under).</summary>
public sealed record DatasetListingRecord(string Name, DateTimeOffset RecordedAt, DatasetVersionRecord Version);
