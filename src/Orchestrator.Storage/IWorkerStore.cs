using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>Worker processes and the leases of the tries they run. A worker registers, then heartbeats: each
/// heartbeat extends the lease of every try it is running, so a worker that dies stops extending them and its tries
/// are found by <see cref="ExpiredTriesAsync"/>.</summary>
public interface IWorkerStore
{
    /// <summary>Records the worker (again, after a restart with the same id: its start and heartbeat are reset).</summary>
    Task RegisterAsync(WorkerRecord worker, CancellationToken cancellationToken);

    /// <summary>Records the heartbeat and extends the lease of the worker's running tries to <paramref name="leaseUntil"/>.
    /// Returns how many tries were extended; null when the worker is not registered (or stopped): register again.</summary>
    Task<int?> HeartbeatAsync(string workerId, DateTimeOffset at, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>Marks the worker stopped (it shut down cleanly).</summary>
    Task StopAsync(string workerId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Every worker, newest heartbeat first.</summary>
    Task<IReadOnlyList<WorkerRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Running tries whose lease ended before <paramref name="now"/>, oldest lease first.</summary>
    Task<IReadOnlyList<ExpiredTry>> ExpiredTriesAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken);
}
