using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>Named, time-bound ownership shared by every process on the store: a run is driven by the scheduler that
/// holds "run/ID", a singleton duty (event delivery) by whoever holds its name. A lease that is not renewed before it
/// expires can be taken by another owner, which fences the old one out (its token no longer matches).</summary>
public interface ILeaseStore
{
    /// <summary>Takes the lease when it is free, expired, or already this owner's (then it is extended and keeps its
    /// token). Null when another owner holds it unexpired.</summary>
    Task<LeaseGrant?> TryAcquireAsync(string name, string owner, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Extends the leases this owner still holds with these tokens (expired or not, as long as nobody took
    /// them); returns the names renewed. A name missing from the answer was lost: stop acting on it.</summary>
    Task<IReadOnlySet<string>> RenewAsync(IReadOnlyCollection<LeaseGrant> leases, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Takes the lease from <paramref name="current"/>'s owner before it expires (that owner is known to be
    /// dead: a process of this machine that no longer runs), with a new token; null when the lease changed meanwhile.</summary>
    Task<LeaseGrant?> TakeOverAsync(LeaseGrant current, string owner, DateTimeOffset now, DateTimeOffset expiresAt, CancellationToken cancellationToken);

    /// <summary>Gives the lease up (only with the matching owner and token); false when it was no longer held.</summary>
    Task<bool> ReleaseAsync(LeaseGrant lease, CancellationToken cancellationToken);

    Task<LeaseGrant?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>The leases whose names start with <paramref name="prefix"/>, by name.</summary>
    Task<IReadOnlyList<LeaseGrant>> ListAsync(string prefix, CancellationToken cancellationToken);
}
