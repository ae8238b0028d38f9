namespace Orchestrator.Storage.Records;

/// <summary>Where an alert goes: nowhere (recorded only), or waiting for its webhook, sent, or failed after retries.</summary>
public enum AlertState
{
    Recorded,
    Pending,
    Sent,
    Failed,
}

/// <summary>An alert to record. <paramref name="Kind"/>: taskFailed, runFailed, taskRetry, gateRejected, drift or
/// notify. <paramref name="Target"/>: the webhook as declared (<c>{"connection": "NAME"}</c> or <c>{"url": "…"}</c>,
/// JSON; never a secret itself), or null to record only. <paramref name="DedupeKey"/> makes recording idempotent.</summary>
public sealed record NewAlert(string Kind, string Severity, string Message, string? Target, string DedupeKey, DateTimeOffset At)
{
    public string? DagId { get; init; }

    public string? RunId { get; init; }

    public string? TaskId { get; init; }

    public long? EventId { get; init; }
}

/// <summary>A recorded alert and how its delivery went.</summary>
public sealed record AlertRecord(
    long Id,
    string Kind,
    string Severity,
    string Message,
    string? Target,
    string DedupeKey,
    DateTimeOffset CreatedAt,
    string? DagId,
    string? RunId,
    string? TaskId,
    long? EventId,
    AlertState State,
    int Attempts,
    string? LastError,
    DateTimeOffset? SentAt);

/// <summary>Which alerts to list, newest first.</summary>
public sealed record AlertQuery(string? Kind = null, string? DagId = null, AlertState? State = null, int Offset = 0, int Limit = 100);
