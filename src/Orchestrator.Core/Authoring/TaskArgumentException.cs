namespace Orchestrator.Core.Authoring;

/// <summary>A task's args are missing something or hold the wrong kind of value. The message names the task and
/// the field (<c>task 'train': args.label …</c>) and is shown as is, without a stack trace.</summary>
public sealed class TaskArgumentException : Exception
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
