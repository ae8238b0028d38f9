using Orchestrator.Application.Runs;
using Orchestrator.Core.Model;
using Orchestrator.Core.Runs;
using Orchestrator.Core.States;
using Orchestrator.Engine.Runs;
using Orchestrator.Loading;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.TaskInstances;

/// <summary>Airflow's clear and mark. A run the engine of THIS process drives is changed by its coordinator, under the
/// run's gate, so its in-memory decisions agree; a finished run is changed in the store in ONE compare-and-set batch
/// that also puts the run back to queued, and an engine on the store takes it up and decides what follows. A run
/// queued or running in a cluster is changed by its scheduler, through a request in the store (ClusterChangeRequests);
/// one queued or running beside this process's own engine is refused (Conflict).</summary>
internal sealed class TaskInstanceCommands(IMetadataStore store, DagVersionSource versions, TimeProvider time) : ITaskInstanceCommands
{
    /// <summary>Store changes lost to a concurrent change are decided again on what won, this many times.</summary>
    private const int Attempts = 3;

    public Task<IReadOnlyList<TaskId>> ClearAsync(RunId runId, TaskId taskId, bool downstream, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var reason = $"cleared by {actor.Name}";
        return ChangeAsync(runId, taskId, "cleared",
            coordinator => coordinator.ClearAsync(runId, taskId, downstream, reason, cancellationToken),
            new RunChangeRequest(0, runId, taskId, downstream, null, reason, time.GetUtcNow()),
            (dag, byIndex, task, at) =>
            {
                var plan = ManualChanges.Clear(dag.Graph, ManualChangeTransitions.Snapshots(byIndex), task, downstream);
                var origin = downstream ? plan.Reset.ToHashSet() : [task];
                return (plan.Refusal, plan.Reset, plan.IsRefused ? [] : ManualChangeTransitions.Reset(runId, dag, byIndex, plan.Reset, origin, reason, at));
            },
            cancellationToken);
    }

    public async Task MarkAsync(RunId runId, TaskId taskId, TaskInstanceState state, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (state is not (TaskInstanceState.Success or TaskInstanceState.Failed))
        {
            throw ApplicationProblemException.Invalid($"a task can be marked success or failed, not {state.ToName()}", "state");
        }

        var reason = $"marked {state.ToName()} by {actor.Name}";
        await ChangeAsync(runId, taskId, "marked",
            coordinator => coordinator.MarkAsync(runId, taskId, state, reason, cancellationToken),
            new RunChangeRequest(0, runId, taskId, false, state, reason, time.GetUtcNow()),
            (dag, byIndex, task, at) =>
            {
                var plan = ManualChanges.Mark(dag.Graph, ManualChangeTransitions.Snapshots(byIndex), task, state);
                if (plan.IsRefused)
                {
                    return (plan.Refusal, [], []);
                }

                var current = byIndex[task]?.State ?? TaskInstanceState.None;
                var transitions = ManualChangeTransitions.Reset(runId, dag, byIndex, plan.Reset, new HashSet<int>(), reason, at);
                transitions.AddRange(ManualChangeTransitions.Mark(runId, taskId, current, state, reason, at));

                return (null, [.. plan.Reset, task], transitions);
            },
            cancellationToken);
    }

    private async Task<IReadOnlyList<TaskId>> ChangeAsync(
        RunId runId, TaskId taskId, string verb,
        Func<RunCoordinator, Task<ManualChangeResult?>> inEngine,
        RunChangeRequest asRequest,
        Func<LoadedDag, TaskInstanceRecord?[], int, DateTimeOffset, (string? Refusal, IReadOnlyList<int> Changed, List<TaskTransition> Transitions)> inStore,
        CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var run = await store.Runs.GetAsync(runId, cancellationToken)
                ?? throw ApplicationProblemException.NotFound($"no run '{runId}'");
            var dag = await versions.GetAsync(run.DagId, run.DagVersion, cancellationToken)
                ?? throw ApplicationProblemException.Conflict($"run {runId} uses a version of {run.DagId} that cannot be loaded from its stored source");
            if (!dag.Graph.TryGetIndex(taskId, out var task))
            {
                throw ApplicationProblemException.NotFound($"run {runId} has no task '{taskId}'; its tasks: {string.Join(", ", dag.Graph.TaskIds)}");
            }

            var engine = versions.Engine;
            if (engine is not null && engine.Coordinator.IsActive(runId))
            {
                switch (await inEngine(engine.Coordinator))
                {
                    case null:
                        continue; // it ended meanwhile: look again
                    case { Refusal: { } refusal }:
                        throw ApplicationProblemException.Conflict(refusal);
                    case var result:
                        return result.Changed;
                }
            }

            if (!run.State.IsFinished() && engine is null)
            {
                // A cluster: the run's scheduler applies the change (a web server or CLI drives no run).
                return await ClusterChangeRequests.ApplyAsync(store, time, run, asRequest, cancellationToken);
            }

            if (!run.State.IsFinished())
            {
                throw ApplicationProblemException.Conflict(run.State == DagRunState.Running
                    ? $"run {runId} is running in an engine outside this process; only it may change the run's tasks: use the REST API or dashboard of the standalone or webserver on this store, or wait until the run has ended"
                    : $"run {runId} is queued: an engine is about to start it; wait until it runs or ends");
            }

            var now = time.GetUtcNow();
            var byIndex = ManualChangeTransitions.ByIndex(dag, await store.TaskInstances.ListAsync(runId, cancellationToken));
            var (storeRefusal, changed, transitions) = inStore(dag, byIndex, task, now);
            if (storeRefusal is not null)
            {
                throw ApplicationProblemException.Conflict(storeRefusal);
            }

            if (transitions.Count == 0)
            {
                // Nothing to do, unless the states read were already another change's (the run reopened meanwhile).
                if ((await store.Runs.GetAsync(runId, cancellationToken))?.State == run.State)
                {
                    return [];
                }

                continue;
            }

            // Back to queued in the same transaction: the engine's pickup resumes the run and decides what follows.
            var applied = await store.ApplyAsync(new StateChangeBatch(Transitions: transitions, Run: new RunTransition(runId, run.State, DagRunState.Queued, now)), cancellationToken);
            if (applied.Applied)
            {
                _ = Engine.Hosting.EmbeddedEngine.WakePickupAsync(engine, store);
                return [.. changed.Select(i => dag.Graph.TaskIds[i])];
            }
        }

        throw ApplicationProblemException.Conflict($"run {runId} kept changing while its task '{taskId}' was being {verb}; look at it again and retry");
    }
}
