using System.Text.Json;

namespace Orchestrator.Execution.TaskTypes;

/// <summary><c>empty</c>: does nothing; a join point or placeholder.</summary>
internal sealed class EmptyTaskExecutor : ITaskExecutor
{
    public Task<JsonElement?> ExecuteAsync(TaskExecution execution, CancellationToken cancellationToken) =>
        Task.FromResult<JsonElement?>(null);
}
