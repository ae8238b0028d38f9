using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>Clear and mark requests for runs a cluster's scheduler drives: the process that takes an operator's change
/// files it, the run's driver takes it (compare-and-set, so only one driver and never after a withdrawal), applies it
/// through its coordinator and records the outcome; a requester that waited in vain withdraws it, so a change the
/// operator was told failed never happens later.</summary>
public interface IRunChangeRequestStore
{
    /// <summary>Files a pending request; returns its id.</summary>
    Task<long> SubmitAsync(RunChangeRequest request, CancellationToken cancellationToken);

    Task<RunChangeRequest?> GetAsync(long id, CancellationToken cancellationToken);

    /// <summary>The requests still to be applied (pending or taken), oldest first.</summary>
    Task<IReadOnlyList<RunChangeRequest>> OpenAsync(CancellationToken cancellationToken);

    /// <summary>pending → taken by <paramref name="driver"/>, or (a driver that took it and died before deciding) taken
    /// by another owner → taken by this one. False when it was decided or withdrawn meanwhile.</summary>
    Task<bool> TakeAsync(long id, string driver, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>taken → applied or refused, with the outcome. False when it was not taken.</summary>
    Task<bool> DecideAsync(long id, RunChangeStatus status, string outcome, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Deletes the decided requests (applied, refused, withdrawn) decided before <paramref name="decidedBefore"/>;
    /// returns how many. Open requests (pending, taken) are never purged.</summary>
    Task<int> PurgeDecidedAsync(DateTimeOffset decidedBefore, CancellationToken cancellationToken);

    /// <summary>pending → withdrawn. False when a driver took it first (it will be decided: wait for that).</summary>
    Task<bool> WithdrawAsync(long id, DateTimeOffset at, CancellationToken cancellationToken);
}
