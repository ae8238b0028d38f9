using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Execution.Logs;

namespace Orchestrator.Execution.Tries;

/// <summary>How a try ended.</summary>
public enum TryOutcome
{
    Success,
    Failed,
    TimedOut,
    Cancelled,

    /// <summary>The task ended itself as skipped (<see cref="Core.Authoring.TaskSkippedException"/>): no retry.</summary>
    Skipped,
}

public static class TryOutcomes
{
    public static string ToName(this TryOutcome outcome) => outcome switch
    {
        TryOutcome.Success => "success",
        TryOutcome.Failed => "failed",
        TryOutcome.TimedOut => "timed_out",
        TryOutcome.Skipped => "skipped",
        _ => "cancelled",
    };
}

/// <summary>One try of one task instance: when, how it ended, why, what it printed and returned.</summary>
public sealed record TryRecord(
    TaskId TaskId,
    int TryNumber,
    DateTimeOffset StartedAt,
    DateTimeOffset EndedAt,
    TryOutcome Outcome,
    string? Error,
    JsonElement? Output,
    IReadOnlyList<TaskLogLine> Log)
{
    public TimeSpan Duration => EndedAt - StartedAt;

    /// <summary>The try failed with a configuration error (<see cref="Core.Authoring.TaskFailedNoRetryException"/>,
    /// such as bad args): another try cannot change the result, so none follows whatever retries remain.</summary>
    public bool ConfigurationError { get; init; }
}
