namespace Orchestrator.Core.Authoring;

/// <summary>A task's args are missing something or hold the wrong kind of value. The message names the task and
/// the field (<c>task 'train': args.label …</c>) and is shown as is, without a stack trace. Args do not change between
/// tries, so it is never retried (see <see cref="TaskFailedNoRetryException"/>).</summary>
public sealed class TaskArgumentException : TaskFailedNoRetryException
{
    public TaskArgumentException(string message)
        : base(message)
    {
    }

    public TaskArgumentException()
    {
    }

    public TaskArgumentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
