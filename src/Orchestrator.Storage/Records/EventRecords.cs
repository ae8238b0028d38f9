namespace Orchestrator.Storage.Records;

/// <summary>The kinds of event a DAG's <c>triggers</c> can wait for.</summary>
public static class EventKinds
{
    /// <summary>Data or concept drift detected on a model (subject: the model's name).</summary>
    public const string Drift = "drift";

    /// <summary>A new dataset version recorded by ml.ingest (subject: the dataset's name).</summary>
    public const string Dataset = "dataset";

    /// <summary>A DAG run succeeded (subject: the DAG id).</summary>
    public const string DagSucceeded = "dagSucceeded";

    public static IReadOnlyList<string> All { get; } = [Drift, Dataset, DagSucceeded];
}

/// <summary>An event to record. <paramref name="DedupeKey"/> makes emitting idempotent: a try that emits, dies and runs
/// again records the event once. <paramref name="Payload"/> is a JSON object; it becomes the conf of the runs the
/// event triggers.</summary>
public sealed record NewEvent(string Kind, string Subject, string Payload, string DedupeKey, DateTimeOffset At)
{
    public string? SourceDagId { get; init; }

    public string? SourceRunId { get; init; }

    public string? SourceTaskId { get; init; }
}

/// <summary>A recorded event (an outbox row): delivered once every DAG triggered by it has its run.</summary>
public sealed record EventRecord(
    long Id,
    string Kind,
    string Subject,
    string Payload,
    string DedupeKey,
    DateTimeOffset CreatedAt,
    string? SourceDagId,
    string? SourceRunId,
    string? SourceTaskId,
    DateTimeOffset? DeliveredAt);

/// <summary>Which events to list, newest first.</summary>
public sealed record EventQuery(string? Kind = null, string? Subject = null, int Offset = 0, int Limit = 100);
