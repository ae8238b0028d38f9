using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Queries.Ml;

/// <summary>Dataset versions as the datasets pages and <c>/api/v1/datasets</c> read them.</summary>
public interface IDatasetQueries
{
    /// <summary>Every (name, version) recorded, newest first.</summary>
    Task<Page<DatasetSummary>> ListAsync(PageRequest page, CancellationToken cancellationToken);

    /// <summary>The version (its digest) as recorded under <paramref name="name"/>, with its profile.</summary>
    Task<DatasetVersionDetail> GetVersionAsync(string name, string version, CancellationToken cancellationToken);
}

internal sealed class DatasetQueries(IMetadataStore store) : IDatasetQueries
{
    public async Task<Page<DatasetSummary>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var (items, total) = await store.Datasets.ListAllAsync(page.Offset, page.Limit, cancellationToken);
        return new Page<DatasetSummary>(
            [.. items.Select(item => new DatasetSummary(item.Name, item.Version.Digest, item.Version.Rows, DatasetProfileJson.Columns(item.Version.SchemaJson).Count,
                item.RecordedAt, item.Version.CreatedBy.RunId))],
            total, page.Offset, page.Limit);
    }

    public async Task<DatasetVersionDetail> GetVersionAsync(string name, string version, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw ApplicationProblemException.Invalid("name is empty", "name");
        }

        if (version.Length != 64 || version.Any(c => c is not (>= '0' and <= '9') and not (>= 'a' and <= 'f')))
        {
            throw ApplicationProblemException.Invalid($"version must be a dataset digest (64 lowercase hex characters), not '{version}'", "version");
        }

        // The version must be one recorded under this name (the same bytes may be listed under several names).
        var versions = await store.Datasets.ListAsync(name, cancellationToken);
        var record = versions.FirstOrDefault(candidate => candidate.Digest == version)
            ?? throw ApplicationProblemException.NotFound($"dataset '{name}' has no version {version}");
        return Detail(name, record);
    }

    private static DatasetVersionDetail Detail(string name, DatasetVersionRecord record) =>
        new(name, record.Digest, record.Rows, record.SizeBytes, record.Source, record.CreatedAt, record.CreatedBy.DagId, record.CreatedBy.RunId,
            record.CreatedBy.TaskId, DatasetProfileJson.Columns(record.SchemaJson), DatasetProfileJson.Profile(record.ProfileJson));
}
