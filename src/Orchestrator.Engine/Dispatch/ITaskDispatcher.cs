using Orchestrator.Core.Model;

namespace Orchestrator.Engine.Dispatch;

/// <summary>Hands a queued task instance's try to a worker. Which worker, and when, is the queue's business; the try
/// number lets a worker in another process claim exactly that try (a duplicate delivery finds it taken).</summary>
public interface ITaskDispatcher
{
    void Enqueue(RunId runId, TaskId taskId, int tryNumber, string queue);
}
