using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Runs;

// Pools: a ready task with a pool waits in scheduled; whichever process admits it (IPoolStore.AdmitAsync, scheduled →
// queued under the pool's row lock) leaves the dispatch to the run's driver, here, exactly once.
public sealed partial class RunCoordinator
{
    /// <summary>Raised after a commit that may change a pool's use: a task started waiting for slots, or a task of a
    /// DAG with pools moved (a finished try frees its slots). The engine answers with an admission pass.</summary>
    public event Action? PoolsChanged;

    /// <summary>Dispatches the admitted tasks of the runs driven here (each once, if it still waits); returns how many
    /// admissions belong to runs driven elsewhere (another scheduler of the cluster dispatches those).</summary>
    public async Task<int> DispatchAdmittedAsync(IReadOnlyList<PoolAdmission> admissions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(admissions);
        var elsewhere = 0;
        foreach (var byRun in admissions.GroupBy(a => a.RunId))
        {
            if (!_runs.TryGetValue(byRun.Key, out var active))
            {
                elsewhere += byRun.Count();
                continue;
            }

            await active.Gate.WaitAsync(cancellationToken);
            try
            {
                var now = _time.GetUtcNow();
                foreach (var admission in byRun)
                {
                    if (_runs.ContainsKey(byRun.Key) && active.PoolWaiting.Remove(admission.TaskId))
                    {
                        Dispatch(active, admission.TaskId, admission.TryNumber, now);
                    }
                }
            }
            finally
            {
                active.Gate.Release();
            }
        }

        return elsewhere;
    }

    /// <summary>Re-reads the tasks that wait for pools in the runs driven here: one admitted meanwhile (by another
    /// process, or before this process resumed the run) is dispatched; one that left scheduled otherwise (marked by an
    /// operator) stops waiting. The safety net under <see cref="DispatchAdmittedAsync"/>.</summary>
    public async Task RefreshPoolWaitsAsync(CancellationToken cancellationToken)
    {
        foreach (var active in _runs.Values.Where(r => r.UsesPools))
        {
            await active.Gate.WaitAsync(cancellationToken);
            try
            {
                if (active.PoolWaiting.Count == 0 || !_runs.ContainsKey(active.Record.RunId))
                {
                    continue;
                }

                var now = _time.GetUtcNow();
                foreach (var instance in await _store.TaskInstances.ListAsync(active.Record.RunId, cancellationToken))
                {
                    if (!active.PoolWaiting.Contains(instance.TaskId) || instance.State == TaskInstanceState.Scheduled)
                    {
                        continue;
                    }

                    active.PoolWaiting.Remove(instance.TaskId);
                    if (instance.State == TaskInstanceState.Queued)
                    {
                        Dispatch(active, instance.TaskId, instance.TryNumber + 1, now);
                    }
                }
            }
            finally
            {
                active.Gate.Release();
            }
        }
    }

    /// <summary>Whether some run driven here has a task waiting for a pool.</summary>
    public bool HasPoolWaits => _runs.Values.Any(r => r.UsesPools && r.PoolWaiting.Count > 0);

    private void Dispatch(ActiveRun active, TaskId taskId, int tryNumber, DateTimeOffset at)
    {
        active.TryToRun[taskId] = tryNumber;
        Metrics?.Dispatched(active.Record.RunId, taskId, at);
        (_dispatcher ?? throw new InvalidOperationException("no dispatcher attached")).Enqueue(active.Record.RunId, taskId, tryNumber, active.Task(taskId).Queue);
    }

    /// <summary>After a commit (under the run's gate): keeps <see cref="ActiveRun.PoolWaiting"/> in step with what was
    /// written, and asks for an admission pass when the pools' use may have changed.</summary>
    private void NotePoolChanges(ActiveRun active, CompletionPlan plan, bool triesEnded)
    {
        foreach (var transition in plan.Transitions.Where(t => t.To != TaskInstanceState.Scheduled))
        {
            active.PoolWaiting.Remove(transition.TaskId);
        }

        active.PoolWaiting.UnionWith(plan.PoolWaits);
        if (plan.PoolWaits.Count > 0 || triesEnded || plan.Transitions.Count > 0)
        {
            PoolsChanged?.Invoke();
        }
    }
}
