using System.Text.Json;

namespace Orchestrator.Execution.TaskTypes;

/// <summary>Runs one try of one task type. Returns the output (null for none); throws to fail the try.
/// Must stop promptly when the cancellation token fires (timeout or run cancelled).</summary>
public interface ITaskExecutor
{
    Task<JsonElement?> ExecuteAsync(TaskExecution execution, CancellationToken cancellationToken);
}
