using System.Text.Json;
using Orchestrator.Core.Authoring;

namespace Orchestrator.Execution.TaskTypes;

/// <summary><c>empty</c>: does nothing; a join point or placeholder.</summary>
internal sealed class EmptyTaskExecutor : ITaskExecutor
{
    public Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
        Task.FromResult<JsonElement?>(null);
}
