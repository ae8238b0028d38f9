namespace Orchestrator.Execution.TaskTypes;

/// <summary>A try that failed for a reason worth showing as is (no stack trace): bad args, a non-zero exit.</summary>
public sealed class TaskFailedException : Exception
{
    public TaskFailedException(string message)
        : base(message)
    {
    }

    public TaskFailedException()
    {
    }

    public TaskFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
