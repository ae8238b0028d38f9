using Orchestrator.Core.Model;

namespace Orchestrator.Storage;

/// <summary>Task outputs (JSON), read by templates downstream.</summary>
public interface ITaskOutputStore
{
    Task SetAsync(RunId runId, TaskId taskId, string json, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<TaskId, string>> GetAllAsync(RunId runId, CancellationToken cancellationToken);
}
