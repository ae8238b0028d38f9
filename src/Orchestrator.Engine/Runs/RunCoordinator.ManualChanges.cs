using Microsoft.Extensions.Logging;
using Orchestrator.Core.Model;
using Orchestrator.Core.Runs;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Runs;

/// <summary>What an operator's clear or mark did to a run this engine drives: the tasks changed, or why it was refused
/// (a task in progress); then nothing changed. <see cref="RequestDecided"/>: the cluster change request it applied was
/// decided applied in the change's own transaction.</summary>
public sealed record ManualChangeResult(IReadOnlyList<TaskId> Changed, string? Refusal = null)
{
    public bool RequestDecided { get; init; }
}

/// <summary>A cluster change request taken by <paramref name="Driver"/>: a change applying it decides it in its commit.</summary>
public readonly record struct TakenRequest(long Id, string Driver);

/// <summary>An operator's clear and mark of a run this engine drives go through here, under the run's gate, so that the
/// tracker, the store and the dispatcher agree: the change and what it decides downstream commit in ONE transaction.</summary>
public sealed partial class RunCoordinator
{
    /// <summary>A change the store refused (a task it read left its state: the pool admitted a scheduled task) is
    /// decided again on what the store shows, this many times in all, then refused.</summary>
    private const int ManualChangeAttempts = 2;

    /// <summary>Whether this engine drives the run now.</summary>
    public bool IsActive(RunId runId) => _runs.ContainsKey(runId);

    /// <summary>Clears <paramref name="taskId"/> (and with <paramref name="downstream"/> every task below it): back to
    /// none with its retries given back, then decided again at once. Null when this engine does not drive the run
    /// (it finished meanwhile, or never was here): the caller changes the store instead. With <paramref name="request"/>,
    /// that request is decided applied in the change's transaction.</summary>
    public Task<ManualChangeResult?> ClearAsync(
        RunId runId, TaskId taskId, bool downstream, string reason, CancellationToken cancellationToken, TakenRequest? request = null) =>
        ChangeAsync(runId, taskId, (dag, snapshots, task) =>
        {
            var plan = ManualChanges.Clear(dag.Graph, snapshots, task, downstream);
            return (plan, downstream ? [.. plan.Reset] : [task], null);
        }, reason, request, cancellationToken);

    /// <summary>Sets <paramref name="taskId"/>'s state to <paramref name="state"/> (success or failed) and decides its
    /// downstream again as if it had ended so. Null when this engine does not drive the run.</summary>
    public Task<ManualChangeResult?> MarkAsync(
        RunId runId, TaskId taskId, TaskInstanceState state, string reason, CancellationToken cancellationToken, TakenRequest? request = null) =>
        ChangeAsync(runId, taskId, (dag, snapshots, task) =>
            (ManualChanges.Mark(dag.Graph, snapshots, task, state), [], state), reason, request, cancellationToken);

    private async Task<ManualChangeResult?> ChangeAsync(
        RunId runId, TaskId taskId,
        Func<Loading.LoadedDag, TaskSnapshot[], int, (ManualChangePlan Plan, HashSet<int> Origin, TaskInstanceState? Mark)> decide, string reason,
        TakenRequest? request, CancellationToken cancellationToken)
    {
        if (_runs.GetValueOrDefault(runId) is not { } active)
        {
            return null;
        }

        await active.Gate.WaitAsync(cancellationToken);
        try
        {
            var task = active.Dag.Graph.IndexOf(taskId);
            string? lost = null;
            for (var attempt = 0; attempt < ManualChangeAttempts; attempt++)
            {
                if (!_runs.ContainsKey(runId))
                {
                    return null; // it finished while we waited
                }

                // Under the gate the store shows every decided state, but for two moves made outside it: a worker's
                // queued → running, and a pool's scheduled → queued (both keep the tracker's "scheduled").
                var byIndex = ManualChangeTransitions.ByIndex(active.Dag, await _store.TaskInstances.ListAsync(runId, cancellationToken));
                if (StartedByAWorker(active, byIndex) is { } moving)
                {
                    // A worker started it right after its upstream's success, and that report is not recorded here yet:
                    // a change decided now would not match what the store holds. It is a matter of milliseconds.
                    return new ManualChangeResult([],
                        $"task '{moving}' of run {runId} was just started by a worker after its upstream succeeded, and that success is being recorded; nothing was changed: retry in a moment");
                }

                var (plan, origin, mark) = decide(active.Dag, ManualChangeTransitions.Snapshots(byIndex), task);
                if (plan.IsRefused)
                {
                    return new ManualChangeResult([], plan.Refusal);
                }

                var current = byIndex[task]?.State ?? TaskInstanceState.None;
                if (plan.Reset.Count == 0 && (mark is null || mark == current))
                {
                    return new ManualChangeResult([]);
                }

                var change = Plan(active, byIndex, plan, origin, task, mark, reason, out var ops);
                IReadOnlyList<TaskId> changed = [.. plan.Reset.Select(i => active.Dag.Graph.TaskIds[i]).Concat(mark is null ? [] : [taskId]).Distinct()];
                if (request is { } taken)
                {
                    change.DecidesRequest = new RunChangeDecision(taken.Id, taken.Driver, RunChangeDecision.OutcomeOf(changed), change.At);
                }

                // The tracker moves with the commit: the same steps on it as on the copy, so the decisions match.
                try
                {
                    await CommitAsync(active, change, [], [], _stopping);
                }
                catch (StoreRefusedException refused)
                {
                    // Nothing was written and the tracker is untouched: decide again on what the store shows now.
                    lost = refused.Message;
                    continue;
                }
                catch (Exception exception)
                {
                    // The outcome in the store is unknown: stop driving the run; the next start resumes it from the store.
                    _runs.TryRemove(runId, out _);
                    _logger.LogError(exception, "Run {RunId}: recording an operator's change failed; the run is no longer driven by this engine", runId);
                    throw;
                }

                ops(active.Tracker);
                foreach (var index in plan.Reset)
                {
                    var id = active.Dag.Graph.TaskIds[index];
                    active.MaxTries[id] = byIndex[index]!.TryNumber + active.Dag.Definition.Tasks[index].Retry.MaxTries;
                    active.LostInARow[id] = 0;
                    active.Outputs.TryRemove(id, out _); // a cleared task's old output is not its new one
                }

                return new ManualChangeResult(changed) { RequestDecided = request is not null };
            }

            _logger.LogWarning("Run {RunId}: an operator's change of {TaskId} was refused twice by the store: {Reason}", runId, taskId, lost);
            return new ManualChangeResult([], $"run {runId} changed while its task '{taskId}' was being changed ({lost}); nothing was changed: look at it again and retry");
        }
        finally
        {
            active.Gate.Release();
        }
    }

    /// <summary>A task the store shows started (running, or finished) while this driver has it undecided: a worker's
    /// follow-on whose upstream's report is not recorded yet. Null when the two agree.</summary>
    private static TaskId? StartedByAWorker(ActiveRun active, TaskInstanceRecord?[] byIndex)
    {
        for (var index = 0; index < byIndex.Length; index++)
        {
            if (active.Tracker.StateOf(index) == TaskInstanceState.None && byIndex[index] is { State: not TaskInstanceState.None })
            {
                return active.Dag.Graph.TaskIds[index];
            }
        }

        return null;
    }

    /// <summary>The change as a plan to commit, decided on a copy of the run's tracker rebuilt from the store's states
    /// (the same states, under the gate): if the store refuses the commit, the live tracker was never touched.
    /// <paramref name="apply"/> repeats the same steps on the live tracker once the commit is in.</summary>
    private CompletionPlan Plan(
        ActiveRun active, TaskInstanceRecord?[] byIndex, ManualChangePlan plan, HashSet<int> origin, int task, TaskInstanceState? mark, string reason,
        out Action<RunTracker> apply)
    {
        var runId = active.Record.RunId;
        var change = new CompletionPlan(active, _time.GetUtcNow());
        change.Transitions.AddRange(ManualChangeTransitions.Reset(runId, active.Dag, byIndex, plan.Reset, origin, reason, change.At));
        if (mark is { } marked)
        {
            change.Transitions.AddRange(ManualChangeTransitions.Mark(runId, active.Dag.Graph.TaskIds[task], byIndex[task]?.State ?? TaskInstanceState.None, marked, reason, change.At));
        }

        apply = tracker => Steps(tracker, []);
        var copy = new RunTracker(active.Dag.Graph, active.Dag.Definition.Tasks);
        for (var index = 0; index < byIndex.Length; index++)
        {
            copy.Restore(index, byIndex[index]?.State ?? TaskInstanceState.None);
        }

        var decisions = new List<TaskDecision>();
        Steps(copy, decisions);
        change.AddDecisions(decisions);
        return change;

        void Steps(RunTracker tracker, List<TaskDecision> decided)
        {
            foreach (var index in plan.Reset)
            {
                PutBack(tracker, index);
            }

            if (mark is { } to)
            {
                PutBack(tracker, task);
                tracker.Complete(task, to, decided);
            }

            tracker.Start(decided);
        }
    }

    /// <summary>Back to none in the tracker: a finished task is reset, a scheduled one (waiting for its pool) unscheduled.</summary>
    private static void PutBack(RunTracker tracker, int index)
    {
        if (tracker.StateOf(index) == TaskInstanceState.Scheduled)
        {
            tracker.Unschedule(index);
        }
        else
        {
            tracker.Reset(index);
        }
    }
}
