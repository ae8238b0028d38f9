using Orchestrator.Core.Model;
using Orchestrator.Core.States;

namespace Orchestrator.Application.TaskInstances;

/// <summary>An operator's changes to task instances of a run: clear (run again) and mark (set the outcome by hand).
/// Every change is recorded in the task's state history with the actor and a reason.</summary>
public interface ITaskInstanceCommands
{
    /// <summary>Clears the task (and, with <paramref name="downstream"/>, every task downstream of it) so it runs again
    /// with a fresh try number and its full retries; a finished run goes back to queued and the engine takes it up.
    /// Returns the tasks cleared. Unknown run or task: NotFound; a task queued or running now: Conflict.</summary>
    Task<IReadOnlyList<TaskId>> ClearAsync(RunId runId, TaskId taskId, bool downstream, Actor actor, CancellationToken cancellationToken);

    /// <summary>Sets the task's final state by hand (<see cref="TaskInstanceState.Success"/> or
    /// <see cref="TaskInstanceState.Failed"/>); its downstream is decided again as if it had ended so, and the run's state
    /// follows. Another state: Invalid (field <c>state</c>); a task queued or running now: Conflict.</summary>
    Task MarkAsync(RunId runId, TaskId taskId, TaskInstanceState state, Actor actor, CancellationToken cancellationToken);
}
