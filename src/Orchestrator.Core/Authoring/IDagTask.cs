namespace Orchestrator.Core.Authoring;

/// <summary>A task written in C#. One instance is created per try, through the host's services: its constructor may
/// ask for any registered service (a <c>TimeProvider</c>, the metadata store, the artifact store, an
/// <c>ILogger&lt;T&gt;</c>, …). The returned value (null for none) becomes the task's output, serialised as JSON,
/// reachable downstream as <c>{{ outputs.TASK_ID }}</c>. Throwing fails the try; throwing
/// <see cref="TaskSkippedException"/> ends it as skipped. Honour the cancellation token, which fires on timeout.</summary>
public interface IDagTask
{
    Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken);
}
