using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>Events (drift, dataset, dagSucceeded) as a transactional outbox: emitting records one row (idempotent by
/// dedupe key), the engine's delivery creates the triggered runs and then marks the event delivered.</summary>
public interface IEventStore
{
    /// <summary>Records the event unless one with its dedupe key exists; returns the stored one and whether this call
    /// created it.</summary>
    Task<(EventRecord Event, bool Created)> EmitAsync(NewEvent newEvent, CancellationToken cancellationToken);

    /// <summary>Events not yet delivered, oldest first.</summary>
    Task<IReadOnlyList<EventRecord>> ListUndeliveredAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Marks an event delivered (every run it triggers exists). False when it was already.</summary>
    Task<bool> MarkDeliveredAsync(long id, DateTimeOffset at, CancellationToken cancellationToken);

    Task<EventRecord?> GetAsync(long id, CancellationToken cancellationToken);

    /// <summary>The events with these ids that exist, in one read (a run page names each run's event).</summary>
    Task<IReadOnlyList<EventRecord>> GetManyAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken);

    /// <summary>One page of events, newest first, and how many match.</summary>
    Task<(IReadOnlyList<EventRecord> Items, int Total)> ListAsync(EventQuery query, CancellationToken cancellationToken);
}
