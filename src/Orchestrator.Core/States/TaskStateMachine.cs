using Orchestrator.Core.Model;
using static Orchestrator.Core.States.TaskInstanceState;

namespace Orchestrator.Core.States;

/// <summary>Which task-instance state may follow which (Airflow's lifecycle). Every store and engine change of
/// state goes through <see cref="EnsureCanTransition"/>, so an impossible history cannot be recorded.</summary>
public static class TaskStateMachine
{
    private static readonly Dictionary<TaskInstanceState, TaskInstanceState[]> Allowed = new()
    {
        // Decided by the trigger rule, or dropped from the DAG version.
        // Success/failed from a state that is not in progress: an operator's mark ("marked success by alice").
        [None] = [Scheduled, Skipped, UpstreamFailed, Removed, Success, Failed],
        [Scheduled] = [Queued, None, Removed],
        // Back to scheduled/none when a worker is lost before it starts the try.
        [Queued] = [Running, Scheduled, None, Removed],
        // None: cleared by a user, or a zombie whose heartbeat stopped. Skipped: the task skipped itself.
        [Running] = [Success, Failed, Skipped, UpForRetry, Deferred, None],
        [UpForRetry] = [Scheduled, Queued, Failed, None],
        [Deferred] = [Scheduled, Failed, None],
        // Finished states change only when cleared, or marked by an operator.
        [Success] = [None, Failed],
        [Failed] = [None, Success],
        [Skipped] = [None, Success, Failed],
        [UpstreamFailed] = [None, Success, Failed],
        [Removed] = [None],
    };

    public static bool CanTransition(TaskInstanceState from, TaskInstanceState to) => Allowed[from].Contains(to);

    public static IReadOnlyCollection<TaskInstanceState> AllowedFrom(TaskInstanceState from) => Allowed[from];

    public static void EnsureCanTransition(TaskInstanceState from, TaskInstanceState to, TaskId task)
    {
        if (!CanTransition(from, to))
        {
            throw new InvalidOperationException(
                $"task '{task}': cannot go from {from.ToName()} to {to.ToName()}; allowed from {from.ToName()}: " +
                string.Join(", ", Allowed[from].Select(state => state.ToName())));
        }
    }
}
