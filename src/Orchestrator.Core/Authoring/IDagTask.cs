namespace Orchestrator.Core.Authoring;

/// <summary>A task written in C#. One instance is created per try. The returned value (null for none) becomes
/// the task's output, serialised as JSON, reachable downstream as <c>{{ outputs.TASK_ID }}</c>.
/// Throwing fails the try; honour the cancellation token, which fires on timeout.</summary>
public interface IDagTask
{
    Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken);
}
