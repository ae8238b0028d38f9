using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>The verdicts of ml.drift and ml.performance, per model, newest first (the drift API's listing).</summary>
public interface IDriftCheckStore
{
    /// <summary>Records the check. Idempotent per task of a run: when a check with the same lineage DagId, RunId and
    /// TaskId (all set) exists, that one is returned and Created is false (a retried task records once).</summary>
    /// <exception cref="ArgumentException">An unknown kind, a share outside [0, 1], or negative row counts.</exception>
    Task<(DriftCheckRecord Check, bool Created)> RecordAsync(NewDriftCheck check, CancellationToken cancellationToken);

    Task<DriftCheckRecord?> GetAsync(long id, CancellationToken cancellationToken);

    /// <summary>One page of a model's checks, newest first, and how many it has.</summary>
    Task<(IReadOnlyList<DriftCheckRecord> Items, int Total)> ListAsync(string model, int offset, int limit, CancellationToken cancellationToken);
}
