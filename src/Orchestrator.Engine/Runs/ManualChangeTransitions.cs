using Orchestrator.Core.Model;
using Orchestrator.Core.Runs;
using Orchestrator.Core.States;
using Orchestrator.Loading;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Runs;

/// <summary>An operator's clear or mark as store transitions, the same whether the engine driving the run applies it
/// (under the run's gate) or the application layer applies it to a run no engine drives.</summary>
public static class ManualChangeTransitions
{
    /// <summary>The run's task instances by the pinned version's graph index (a task with no record: none, never tried).</summary>
    public static TaskInstanceRecord?[] ByIndex(LoadedDag dag, IReadOnlyList<TaskInstanceRecord> instances)
    {
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(instances);
        var byIndex = new TaskInstanceRecord?[dag.Graph.Count];
        foreach (var instance in instances)
        {
            if (dag.Graph.TryGetIndex(instance.TaskId, out var index))
            {
                byIndex[index] = instance;
            }
        }

        return byIndex;
    }

    public static TaskSnapshot[] Snapshots(IReadOnlyList<TaskInstanceRecord?> byIndex)
    {
        ArgumentNullException.ThrowIfNull(byIndex);
        return [.. byIndex.Select(i => i is null ? new TaskSnapshot(TaskInstanceState.None, 0) : new TaskSnapshot(i.State, i.TryNumber))];
    }

    /// <summary>Back to none for each task of <paramref name="reset"/>, with its retries given back as Airflow does:
    /// the tries allowed become the tries used so far plus the task's own (so the next try is numbered after the last
    /// and has every retry). <paramref name="origin"/>'s tasks get <paramref name="reason"/>; the others, reset because
    /// their state followed from it, say so.</summary>
    public static List<TaskTransition> Reset(
        RunId runId, LoadedDag dag, IReadOnlyList<TaskInstanceRecord?> byIndex, IReadOnlyList<int> reset, IReadOnlySet<int> origin, string reason, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(byIndex);
        ArgumentNullException.ThrowIfNull(reset);
        ArgumentNullException.ThrowIfNull(origin);
        var transitions = new List<TaskTransition>(reset.Count);
        foreach (var index in reset)
        {
            var record = byIndex[index] ?? throw new InvalidOperationException($"task '{dag.Graph.TaskIds[index]}' has no record in run {runId}");
            var task = dag.Definition.Tasks[index];
            transitions.Add(new TaskTransition(runId, task.Id, record.State, TaskInstanceState.None,
                origin.Contains(index) ? reason : $"{reason} (decided again: its {record.State.ToName()} followed from an upstream task's old result)",
                at, MaxTries: record.TryNumber + task.Retry.MaxTries));
        }

        return transitions;
    }

    /// <summary>A mark's own transition: none when the task already has that state; from scheduled (waiting for its
    /// pool, not started) through none, as the lifecycle allows; else straight from its state.</summary>
    public static List<TaskTransition> Mark(RunId runId, TaskId taskId, TaskInstanceState current, TaskInstanceState to, string reason, DateTimeOffset at)
    {
        if (current == to)
        {
            return [];
        }

        return current == TaskInstanceState.Scheduled
            ? [new TaskTransition(runId, taskId, current, TaskInstanceState.None, reason, at), new TaskTransition(runId, taskId, TaskInstanceState.None, to, reason, at)]
            : [new TaskTransition(runId, taskId, current, to, reason, at)];
    }
}
