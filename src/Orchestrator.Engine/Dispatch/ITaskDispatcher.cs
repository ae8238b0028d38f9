using Orchestrator.Core.Model;

namespace Orchestrator.Engine.Dispatch;

/// <summary>Hands a queued task instance to a worker. Which worker, and when, is the queue's business.</summary>
public interface ITaskDispatcher
{
    void Enqueue(RunId runId, TaskId taskId, string queue);
}
