using Microsoft.Extensions.Logging;
using Orchestrator.Core.Model;
using Orchestrator.Core.Runs;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Runs;

/// <summary>What an operator's clear or mark did to a run this engine drives: the tasks changed, or why it was refused
/// (a task in progress); then nothing changed.</summary>
public sealed record ManualChangeResult(IReadOnlyList<TaskId> Changed, string? Refusal = null);

/// <summary>An operator's clear and mark of a run this engine drives go through here, under the run's gate, so that the
/// tracker, the store and the dispatcher agree: the change and what it decides downstream commit in ONE transaction.</summary>
public sealed partial class RunCoordinator
{
    /// <summary>Whether this engine drives the run now.</summary>
    public bool IsActive(RunId runId) => _runs.ContainsKey(runId);

    /// <summary>Clears <paramref name="taskId"/> (and with <paramref name="downstream"/> every task below it): back to
    /// none with its retries given back, then decided again at once. Null when this engine does not drive the run
    /// (it finished meanwhile, or never was here): the caller changes the store instead.</summary>
    public Task<ManualChangeResult?> ClearAsync(RunId runId, TaskId taskId, bool downstream, string reason, CancellationToken cancellationToken) =>
        ChangeAsync(runId, taskId, (active, byIndex, task) =>
        {
            var plan = ManualChanges.Clear(active.Dag.Graph, ManualChangeTransitions.Snapshots(byIndex), task, downstream);
            return (plan, downstream ? [.. plan.Reset] : [task], null);
        }, reason, cancellationToken);

    /// <summary>Sets <paramref name="taskId"/>'s state to <paramref name="state"/> (success or failed) and decides its
    /// downstream again as if it had ended so. Null when this engine does not drive the run.</summary>
    public Task<ManualChangeResult?> MarkAsync(RunId runId, TaskId taskId, TaskInstanceState state, string reason, CancellationToken cancellationToken) =>
        ChangeAsync(runId, taskId, (active, byIndex, task) =>
            (ManualChanges.Mark(active.Dag.Graph, ManualChangeTransitions.Snapshots(byIndex), task, state), [], state), reason, cancellationToken);

    private async Task<ManualChangeResult?> ChangeAsync(
        RunId runId, TaskId taskId,
        Func<ActiveRun, TaskInstanceRecord?[], int, (ManualChangePlan Plan, HashSet<int> Origin, TaskInstanceState? Mark)> decide, string reason,
        CancellationToken cancellationToken)
    {
        if (_runs.GetValueOrDefault(runId) is not { } active)
        {
            return null;
        }

        await active.Gate.WaitAsync(cancellationToken);
        try
        {
            if (!_runs.ContainsKey(runId))
            {
                return null; // it finished while we waited
            }

            // Under the gate the store shows every decided state: only a worker's queued → running happens outside it.
            var byIndex = ManualChangeTransitions.ByIndex(active.Dag, await _store.TaskInstances.ListAsync(runId, cancellationToken));
            var task = active.Dag.Graph.IndexOf(taskId);
            var (plan, origin, mark) = decide(active, byIndex, task);
            if (plan.IsRefused)
            {
                return new ManualChangeResult([], plan.Refusal);
            }

            var current = byIndex[task]?.State ?? TaskInstanceState.None;
            if (plan.Reset.Count == 0 && (mark is null || mark == current))
            {
                return new ManualChangeResult([]);
            }

            var now = _time.GetUtcNow();
            var change = new CompletionPlan(active, now);
            change.Transitions.AddRange(ManualChangeTransitions.Reset(runId, active.Dag, byIndex, plan.Reset, origin, reason, now));
            foreach (var index in plan.Reset)
            {
                active.Tracker.Reset(index);
                var id = active.Dag.Graph.TaskIds[index];
                active.MaxTries[id] = byIndex[index]!.TryNumber + active.Dag.Definition.Tasks[index].Retry.MaxTries;
                active.LostInARow[id] = 0;
                active.Outputs.TryRemove(id, out _); // a cleared task's old output is not its new one
            }

            var decisions = new List<TaskDecision>();
            if (mark is { } to)
            {
                active.Tracker.Reset(task);
                active.Tracker.Complete(task, to, decisions);
                change.Transitions.Add(new TaskTransition(runId, taskId, current, to, reason, now));
            }

            active.Tracker.Start(decisions);
            change.AddDecisions(decisions);
            try
            {
                await CommitAsync(active, change, [], [], _stopping);
            }
            catch (Exception exception)
            {
                // The tracker has moved on but the store refused: stop driving the run; the next start resumes it from the store.
                _runs.TryRemove(runId, out _);
                _logger.LogError(exception, "Run {RunId}: recording an operator's change failed; the run is no longer driven by this engine", runId);
                throw;
            }

            return new ManualChangeResult([.. plan.Reset.Select(i => active.Dag.Graph.TaskIds[i]).Concat(mark is null ? [] : [taskId]).Distinct()]);
        }
        finally
        {
            active.Gate.Release();
        }
    }
}
