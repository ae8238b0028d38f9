namespace Orchestrator.Core.Authoring;

/// <summary>Thrown by a task (a C# task class or a task type's executor) to end its try as <c>skipped</c>, as
/// Airflow's AirflowSkipException does: no retry, the reason recorded with the try and shown in its log, and the
/// downstream tasks decided by their trigger rules (an all_success child is skipped, a none_failed child runs).
/// A gate uses it to short-circuit its branch.</summary>
public sealed class TaskSkippedException : Exception
{
    public TaskSkippedException(string reason)
        : base(reason)
    {
    }

    public TaskSkippedException()
        : base("skipped by the task")
    {
    }

    public TaskSkippedException(string reason, Exception innerException)
        : base(reason, innerException)
    {
    }

    /// <summary>Why the task skipped itself.</summary>
    public string Reason => Message;
}
