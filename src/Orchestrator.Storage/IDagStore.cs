using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>DAGs, their versions and the folder's import errors.</summary>
public interface IDagStore
{
    /// <summary>Records a DAG and its version; idempotent. A new DAG starts unpaused; the paused flag is kept otherwise.</summary>
    Task UpsertAsync(DagVersionRecord version, string? schedule, CancellationToken cancellationToken);

    Task<DagRecord?> GetAsync(DagId dagId, CancellationToken cancellationToken);

    Task<IReadOnlyList<DagRecord>> ListAsync(CancellationToken cancellationToken);

    Task<DagVersionRecord?> GetVersionAsync(DagId dagId, string version, CancellationToken cancellationToken);

    /// <summary>False when the DAG is unknown.</summary>
    Task<bool> SetPausedAsync(DagId dagId, bool paused, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Marks every DAG not in <paramref name="present"/> inactive (its file is gone) and the others active.</summary>
    Task MarkActiveAsync(IReadOnlyCollection<DagId> present, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Replaces the import errors recorded for one file (an empty list clears them).</summary>
    Task ReplaceImportErrorsAsync(string filePath, IReadOnlyList<ImportErrorRecord> errors, CancellationToken cancellationToken);

    Task<IReadOnlyList<ImportErrorRecord>> ListImportErrorsAsync(CancellationToken cancellationToken);
}
