namespace Orchestrator.Core.Authoring;

/// <summary>Ends a try as failed with no retry, whatever retries remain, as Airflow's AirflowFailException does.
/// Throw it (or a subclass, such as <see cref="TaskArgumentException"/>) when trying again cannot change the result:
/// bad args, an unknown option, a missing required setting. Its message is shown as is, without a stack trace, and the
/// try's recorded reason says it was not retried because it is a configuration error.</summary>
public class TaskFailedNoRetryException : Exception
{
    public TaskFailedNoRetryException(string message)
        : base(message)
    {
    }

    public TaskFailedNoRetryException()
        : base("failed by the task; not retried")
    {
    }

    public TaskFailedNoRetryException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
