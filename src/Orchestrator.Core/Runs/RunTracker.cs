using Orchestrator.Core.Graph;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Core.TriggerRules;

namespace Orchestrator.Core.Runs;

/// <summary>Decides, for one run, which tasks become ready, skipped or upstream_failed as tasks finish.
/// Incremental: finishing a task looks only at its direct downstream tasks (plus any skip/upstream_failed
/// cascade), never rescans the DAG. Not thread-safe: the caller serialises calls for one run.</summary>
public sealed class RunTracker
{
    private readonly DagGraph _graph;
    private readonly TriggerRule[] _rules;
    private readonly TaskInstanceState[] _states;
    private readonly int[] _success;
    private readonly int[] _failed;
    private readonly int[] _skipped;
    private readonly int[] _upstreamFailed;
    private readonly int[] _removed;
    private int _finishedCount;

    public RunTracker(DagGraph graph, IReadOnlyList<TaskDefinition> tasks)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count != graph.Count)
        {
            throw new ArgumentException("tasks must be the graph's tasks, in the same order", nameof(tasks));
        }

        _graph = graph;
        _rules = [.. tasks.Select(task => task.TriggerRule)];
        _states = new TaskInstanceState[graph.Count];
        _success = new int[graph.Count];
        _failed = new int[graph.Count];
        _skipped = new int[graph.Count];
        _upstreamFailed = new int[graph.Count];
        _removed = new int[graph.Count];
    }

    public DagGraph Graph => _graph;

    /// <summary>True once every task has a final state.</summary>
    public bool IsFinished => _finishedCount == _graph.Count;

    public TaskInstanceState StateOf(int task) => _states[task];

    /// <summary>Decides every undecided task whose trigger rule can be decided now: at the start roots and
    /// <c>always</c> tasks; after a restore or <see cref="Reset"/> also tasks whose upstream tasks have all ended.
    /// Walks the graph in topological order, so a skip or upstream_failed decided here reaches further down.</summary>
    public void Start(List<TaskDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        foreach (var task in _graph.TopologicalOrder)
        {
            if (_states[task] == TaskInstanceState.None)
            {
                Decide(task, decisions);
            }
        }
    }

    /// <summary>Puts a finished task back to none (an operator cleared or marks it): its downstream tasks stop
    /// counting its result. Nothing is decided here: <see cref="Start"/> (or <see cref="Complete"/> for a mark)
    /// decides again. A task already none stays so; one scheduled or in progress cannot be reset.</summary>
    public void Reset(int task)
    {
        var state = _states[task];
        if (state == TaskInstanceState.None)
        {
            return;
        }

        if (!state.IsFinished())
        {
            throw new InvalidOperationException($"task '{_graph.TaskIds[task]}' is {state.ToName()}: only a finished task can be reset");
        }

        _states[task] = TaskInstanceState.None;
        _finishedCount--;
        foreach (var downstream in _graph.Downstream(task))
        {
            Counter(state)[downstream]--;
        }
    }

    /// <summary>Puts a task decided to run but not started (scheduled, waiting for its pool's slots) back to none: an
    /// operator cleared or marks it. It counted toward nothing downstream, so only its own state changes.</summary>
    public void Unschedule(int task)
    {
        if (_states[task] != TaskInstanceState.Scheduled)
        {
            throw new InvalidOperationException($"task '{_graph.TaskIds[task]}' is {_states[task].ToName()}: only a scheduled task can be unscheduled");
        }

        _states[task] = TaskInstanceState.None;
    }

    /// <summary>Records that <paramref name="task"/> reached a final state and appends to
    /// <paramref name="decisions"/> what that decides downstream, cascading skips and upstream failures.</summary>
    public void Complete(int task, TaskInstanceState finalState, List<TaskDecision> decisions)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        if (!finalState.IsFinished())
        {
            throw new ArgumentException($"{finalState.ToName()} is not a final state", nameof(finalState));
        }

        if (_states[task].IsFinished())
        {
            throw new InvalidOperationException($"task '{_graph.TaskIds[task]}' already finished as {_states[task].ToName()}");
        }

        var firstNew = decisions.Count;
        Finish(task, finalState);
        PropagateFrom(task, decisions);

        // A skip or upstream_failed decided here is final too: carry it further down.
        for (var i = firstNew; i < decisions.Count; i++)
        {
            if (decisions[i].State != TaskInstanceState.Scheduled)
            {
                PropagateFrom(decisions[i].Task, decisions);
            }
        }
    }

    /// <summary>The run's state once finished: failed when any leaf failed or is upstream_failed (Airflow's rule).</summary>
    public DagRunState? FinalRunState()
    {
        if (!IsFinished)
        {
            return null;
        }

        foreach (var leaf in _graph.Leaves())
        {
            if (_states[leaf] is TaskInstanceState.Failed or TaskInstanceState.UpstreamFailed)
            {
                return DagRunState.Failed;
            }
        }

        return DagRunState.Success;
    }

    /// <summary>Rebuilds the tracker from recorded states (after a restart). Tasks recorded as scheduled,
    /// queued, running or up_for_retry stay decided; their completion is reported later as usual.</summary>
    public void Restore(int task, TaskInstanceState state)
    {
        if (_states[task] != TaskInstanceState.None)
        {
            throw new InvalidOperationException($"task '{_graph.TaskIds[task]}' was already restored");
        }

        if (state.IsFinished())
        {
            Finish(task, state);
        }
        else if (state != TaskInstanceState.None)
        {
            _states[task] = TaskInstanceState.Scheduled;
        }
    }

    private void Finish(int task, TaskInstanceState state)
    {
        _states[task] = state;
        _finishedCount++;
        var counter = Counter(state);
        foreach (var downstream in _graph.Downstream(task))
        {
            counter[downstream]++;
        }
    }

    /// <summary>The per-downstream count a finished state adds to.</summary>
    private int[] Counter(TaskInstanceState state) => state switch
    {
        TaskInstanceState.Success => _success,
        TaskInstanceState.Failed => _failed,
        TaskInstanceState.Skipped => _skipped,
        TaskInstanceState.UpstreamFailed => _upstreamFailed,
        _ => _removed,
    };

    private void PropagateFrom(int task, List<TaskDecision> decisions)
    {
        foreach (var downstream in _graph.Downstream(task))
        {
            if (_states[downstream] == TaskInstanceState.None)
            {
                Decide(downstream, decisions);
            }
        }
    }

    private void Decide(int task, List<TaskDecision> decisions)
    {
        var counts = new UpstreamCounts(
            _graph.Upstream(task).Count, _success[task], _failed[task], _skipped[task], _upstreamFailed[task], _removed[task]);
        var rule = _rules[task];
        switch (TriggerRuleEvaluator.Evaluate(rule, counts))
        {
            case TriggerRuleDecision.Run:
                _states[task] = TaskInstanceState.Scheduled;
                decisions.Add(new TaskDecision(task, TaskInstanceState.Scheduled, Explain("met", rule, counts)));
                break;
            case TriggerRuleDecision.Skip:
                Finish(task, TaskInstanceState.Skipped);
                decisions.Add(new TaskDecision(task, TaskInstanceState.Skipped, Explain("can no longer be met", rule, counts)));
                break;
            case TriggerRuleDecision.UpstreamFailed:
                Finish(task, TaskInstanceState.UpstreamFailed);
                decisions.Add(new TaskDecision(task, TaskInstanceState.UpstreamFailed, Explain("can no longer be met", rule, counts)));
                break;
            default:
                break;
        }
    }

    private static string Explain(string verdict, TriggerRule rule, UpstreamCounts counts) =>
        counts.Total == 0
            ? "no upstream tasks"
            : $"trigger rule {rule.ToName()} {verdict} (upstream: {counts.Success} success, {counts.Failed} failed, " +
              $"{counts.Skipped} skipped, {counts.UpstreamFailed} upstream_failed, {counts.Total - counts.Done} unfinished)";
}
