using System.Text.Json;
using Orchestrator.Core.Authoring;

namespace Orchestrator.Execution.TaskTypes;

/// <summary>Runs one try of one task type. Returns the output (null for none); throws to fail the try, or throws
/// <see cref="TaskSkippedException"/> to end it as skipped. Must stop promptly when the cancellation token fires
/// (timeout or run cancelled). Registered with <c>services.AddOrchestratorTaskType&lt;TExecutor&gt;("name")</c>, so its
/// constructor receives the services it needs; what a try is about comes in its <see cref="TaskContext"/>.</summary>
public interface ITaskExecutor
{
    Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken);
}
