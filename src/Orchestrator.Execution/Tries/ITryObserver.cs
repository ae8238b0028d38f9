using Orchestrator.Core.Model;
using Orchestrator.Execution.Logs;

namespace Orchestrator.Execution.Tries;

/// <summary>Told about every try as it happens, so a caller can record states (running, up_for_retry with
/// the next-try time) and stream logs. Calls for one task instance never overlap.</summary>
public interface ITryObserver
{
    void OnTryStarted(TaskId task, int tryNumber, DateTimeOffset startedAt);

    void OnLogLine(TaskId task, int tryNumber, TaskLogLine line);

    void OnTryFinished(TryRecord record);

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
