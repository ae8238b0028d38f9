using Orchestrator.Core.Graph;
using Orchestrator.Core.States;

namespace Orchestrator.Core.Runs;

/// <summary>A task instance as an operator's change sees it: its state and its last try (0: it never ran).</summary>
public readonly record struct TaskSnapshot(TaskInstanceState State, int TryNumber);

/// <summary>What an operator's clear or mark changes, or why it is refused. <see cref="Reset"/> are the tasks that go
/// back to none (topological order); a mark also sets its own task's state.</summary>
public sealed record ManualChangePlan(IReadOnlyList<int> Reset, string? Refusal = null)
{
    public bool IsRefused => Refusal is not null;
}

/// <summary>Airflow's clear and mark, decided on a run's recorded states (pure: the store path and the engine's
/// in-memory path use the same rule). A clear resets the task, and either every task downstream of it or only the
/// downstream tasks whose state was decided by their trigger rule without running (upstream_failed, or skipped with
/// no try): those followed from the old result, so they are decided again once the task ends anew. A mark sets the
/// task's state and resets the same rule-decided downstream. Tasks in progress (queued, running, up_for_retry,
/// deferred) are never touched: the change is refused instead. A scheduled task has not started (it waits for its
/// pool's slots, as Airflow's scheduled does): it can be cleared (decided again) or marked like a task not yet run.</summary>
public static class ManualChanges
{
    public static ManualChangePlan Clear(DagGraph graph, IReadOnlyList<TaskSnapshot> tasks, int task, bool downstream)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(tasks);
        var selected = Downstream(graph, tasks, task, downstream);
        selected.Add(task);
        if (Busy(graph, tasks, selected) is { } refusal)
        {
            return new ManualChangePlan([], refusal);
        }

        return new ManualChangePlan([.. graph.TopologicalOrder.Where(i => selected.Contains(i) && tasks[i].State != TaskInstanceState.None)]);
    }

    public static ManualChangePlan Mark(DagGraph graph, IReadOnlyList<TaskSnapshot> tasks, int task, TaskInstanceState to)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(tasks);
        if (to is not (TaskInstanceState.Success or TaskInstanceState.Failed))
        {
            throw new ArgumentException($"a task can be marked success or failed, not {to.ToName()}", nameof(to));
        }

        var selected = Downstream(graph, tasks, task, all: false);
        if (Busy(graph, tasks, [task, .. selected]) is { } refusal)
        {
            return new ManualChangePlan([], refusal);
        }

        return new ManualChangePlan([.. graph.TopologicalOrder.Where(selected.Contains)]);
    }

    /// <summary>Whether the state is one an engine is working on (a change now would race it). Scheduled is not: no
    /// worker has it yet (the store's compare-and-set settles a race with the pool admitting it at that moment).</summary>
    public static bool IsInProgress(this TaskInstanceState state) => state is TaskInstanceState.Queued
        or TaskInstanceState.Running or TaskInstanceState.UpForRetry or TaskInstanceState.Deferred;

    /// <summary>Decided by the trigger rule without running: its state followed from its upstream tasks' results.</summary>
    public static bool IsRuleDecided(TaskSnapshot task) =>
        task.State == TaskInstanceState.UpstreamFailed || (task.State == TaskInstanceState.Skipped && task.TryNumber == 0);

    private static HashSet<int> Downstream(DagGraph graph, IReadOnlyList<TaskSnapshot> tasks, int task, bool all)
    {
        var found = new HashSet<int>();
        var next = new Stack<int>([task]);
        while (next.TryPop(out var current))
        {
            foreach (var child in graph.Downstream(current))
            {
                if ((all || IsRuleDecided(tasks[child])) && found.Add(child))
                {
                    next.Push(child);
                }
            }
        }

        return found;
    }

    private static string? Busy(DagGraph graph, IReadOnlyList<TaskSnapshot> tasks, IEnumerable<int> selected)
    {
        var busy = graph.TopologicalOrder.Where(i => selected.Contains(i) && tasks[i].State.IsInProgress()).ToList();
        return busy.Count == 0
            ? null
            : string.Join(", ", busy.Select(i => $"task '{graph.TaskIds[i]}' is {tasks[i].State.ToName()}")) +
              "; wait until it ends (a task in progress cannot be cleared or marked)";
    }
}
