using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>Alerts (callbacks and notify tasks) as an outbox: recorded in the transaction of what caused them, sent by
/// a dispatcher that survives restarts.</summary>
public interface IAlertStore
{
    /// <summary>Records the alert unless one with its dedupe key exists (Pending when it has a target, else
    /// Recorded); returns the stored one and whether this call created it.</summary>
    Task<(AlertRecord Alert, bool Created)> RecordAsync(NewAlert alert, CancellationToken cancellationToken);

    /// <summary>Alerts waiting for their webhook, oldest first; not those of kind notify (their task sends them, and
    /// its retries are their redelivery, so a dispatcher must not send them too).</summary>
    Task<IReadOnlyList<AlertRecord>> ListPendingAsync(int limit, CancellationToken cancellationToken);

    /// <summary>Records a delivery attempt's result (Sent, Failed, or still Pending with the error of the attempt).</summary>
    Task MarkAsync(long id, AlertState state, int attempts, string? error, DateTimeOffset at, CancellationToken cancellationToken);

    Task<AlertRecord?> GetAsync(long id, CancellationToken cancellationToken);

    /// <summary>One page of alerts, newest first, and how many match.</summary>
    Task<(IReadOnlyList<AlertRecord> Items, int Total)> ListAsync(AlertQuery query, CancellationToken cancellationToken);
}
