using Orchestrator.Core.Model;
using Orchestrator.Execution.Logs;

namespace Orchestrator.Execution.Tries;

/// <summary>Told about a try as it happens, so a caller can record its start and stream its log. Calls for one
/// try never overlap, except log lines (stdout and stderr are read concurrently).</summary>
public interface ITryObserver
{
    void OnTryStarted(TaskId task, int tryNumber, DateTimeOffset startedAt);

    void OnLogLine(TaskId task, int tryNumber, TaskLogLine line);

    void OnTryFinished(TryRecord record);

    /// <summary>Only when every try runs in this process (<c>dags test</c>): the wait before the next try began.
    /// The engine records retries itself, when it decides them.</summary>
    void OnRetryScheduled(TaskId task, int failedTryNumber, DateTimeOffset nextTryAt, TimeSpan delay, string reason);
}

/// <summary>An observer that ignores everything.</summary>
public sealed class NullTryObserver : ITryObserver
{
    public static NullTryObserver Instance { get; } = new();

    public void OnTryStarted(TaskId task, int tryNumber, DateTimeOffset startedAt)
    {
    }

    public void OnLogLine(TaskId task, int tryNumber, TaskLogLine line)
    {
    }

    public void OnTryFinished(TryRecord record)
    {
    }

    public void OnRetryScheduled(TaskId task, int failedTryNumber, DateTimeOffset nextTryAt, TimeSpan delay, string reason)
    {
    }
}
