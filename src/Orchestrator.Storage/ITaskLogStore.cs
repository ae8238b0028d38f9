using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>The log of each try.</summary>
public interface ITaskLogStore
{
    Task AppendAsync(RunId runId, TaskId taskId, int tryNumber, IReadOnlyList<StoredLogLine> lines, CancellationToken cancellationToken);

    /// <summary>The try's lines in the order they were written.</summary>
    Task<IReadOnlyList<StoredLogLine>> ReadAsync(RunId runId, TaskId taskId, int tryNumber, CancellationToken cancellationToken);
}
