using Orchestrator.Core.Model;
using Orchestrator.Core.Runs;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Runs;

/// <summary>The state changes one decision step makes, gathered so they commit together: tracker decisions become
/// compare-and-set transitions, ready tasks go none → scheduled → queued and are dispatched after the commit; a ready
/// task with a pool stops at scheduled and waits for its pool to admit it.</summary>
internal sealed class CompletionPlan(ActiveRun run, DateTimeOffset at)
{
    /// <summary>When the plan's decisions were made.</summary>
    public DateTimeOffset At => at;

    public List<TaskTransition> Transitions { get; } = [];

    public List<(TaskId Task, int FirstTry)> Dispatch { get; } = [];

    /// <summary>Ready tasks a worker already started (<see cref="ActiveRun.Followed"/>): nothing to write or dispatch,
    /// the run only takes note of the try.</summary>
    public List<(TaskId Task, int TryNumber)> Adopted { get; } = [];

    /// <summary>Tasks left in scheduled for their pool's slots.</summary>
    public List<TaskId> PoolWaits { get; } = [];

    public RunTransition? RunTransition { get; private set; }

    /// <summary>The cluster change request this plan applies, decided in its commit (an operator's change only).</summary>
    public RunChangeDecision? DecidesRequest { get; set; }

    public void AddDecisions(IEnumerable<TaskDecision> decisions)
    {
        foreach (var decision in decisions)
        {
            var definition = run.Dag.Definition.Tasks[decision.Task];
            var task = definition.Id;
            // A followed try is adopted once, and only as the task's next try: a stale one (the task has run since)
            // never stands in for a new decision.
            if (decision.State == TaskInstanceState.Scheduled && run.Followed.TryRemove(task, out var followedTry)
                && followedTry > run.LastTry.GetValueOrDefault(task))
            {
                Adopted.Add((task, followedTry));
                continue;
            }

            if (decision.State == TaskInstanceState.Scheduled && definition.Pool is { } pool)
            {
                Transitions.Add(new TaskTransition(run.Record.RunId, task, TaskInstanceState.None, decision.State, $"{decision.Reason}; {WaitingFor(pool)}", at));
                PoolWaits.Add(task);
                continue;
            }

            Transitions.Add(new TaskTransition(run.Record.RunId, task, TaskInstanceState.None, decision.State, decision.Reason, at));
            if (decision.State == TaskInstanceState.Scheduled)
            {
                Queue(task, TaskInstanceState.Scheduled, run.LastTry.GetValueOrDefault(task) + 1, "queued for a worker");
            }
        }
    }

    /// <summary>Moves a task to queued and dispatches it once the plan commits.</summary>
    public void Queue(TaskId task, TaskInstanceState from, int firstTry, string reason)
    {
        Transitions.Add(new TaskTransition(run.Record.RunId, task, from, TaskInstanceState.Queued, reason, at));
        Dispatch.Add((task, firstTry));
    }

    /// <summary>A task ready to run (again): queued and dispatched, or, when it has a pool, left in scheduled to wait
    /// for its slots (moved there from <paramref name="from"/> unless it is there already).</summary>
    public void Ready(TaskId task, TaskInstanceState from, int firstTry, string reason)
    {
        if (run.Task(task).Pool is not { } pool)
        {
            Queue(task, from, firstTry, reason);
            return;
        }

        if (from != TaskInstanceState.Scheduled)
        {
            Transitions.Add(new TaskTransition(run.Record.RunId, task, from, TaskInstanceState.Scheduled, $"{reason}; {WaitingFor(pool)}", at));
        }

        PoolWaits.Add(task);
    }

    private static string WaitingFor(string pool) => $"waiting for a slot in pool {pool}";

    /// <summary>Whether the tasks this plan readies may commit in several transactions (<see cref="SplitOff"/>): a
    /// run's start and a completion's downstream may (a crash between pieces leaves ready tasks in none, which the
    /// run's next driver decides again); an operator's change may not.</summary>
    public bool MayCommitInPieces { get; init; }

    /// <summary>Leaves this plan the transitions and dispatches of its first <paramref name="first"/> tasks and returns
    /// the rest as plans, in order, each twice the size of the one before and at most <paramref name="tasks"/>, each
    /// task's transitions kept together and in order. Empty when there are not more than <paramref name="tasks"/> tasks
    /// or the plan may not be split. The growth keeps workers busy: they work through a piece while the next commits,
    /// and a piece of 500 after one of 100 took longer to commit (50 ms) than 4 slots took to run the 100.</summary>
    public IReadOnlyList<CompletionPlan> SplitOff(int first, int tasks)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(first);
        // Checked before grouping: every commit asks, and most ready a handful of tasks.
        if (!MayCommitInPieces || Transitions.Count <= tasks)
        {
            return [];
        }

        var byTask = Transitions.GroupBy(t => t.TaskId).ToList();
        if (byTask.Count <= tasks)
        {
            return [];
        }

        var pieces = new List<HashSet<TaskId>>();
        for (int start = 0, size = first; start < byTask.Count; start += size, size = Math.Min(size * 2, tasks))
        {
            pieces.Add([.. byTask.Skip(start).Take(size).Select(g => g.Key)]);
        }

        var rest = pieces.Skip(1).Select(ids =>
        {
            var piece = new CompletionPlan(run, at);
            piece.Transitions.AddRange(Transitions.Where(t => ids.Contains(t.TaskId)));
            piece.Dispatch.AddRange(Dispatch.Where(d => ids.Contains(d.Task)));
            piece.PoolWaits.AddRange(PoolWaits.Where(ids.Contains));
            return piece;
        }).ToList();
        var moved = pieces.Skip(1).SelectMany(ids => ids).ToHashSet();
        Transitions.RemoveAll(t => moved.Contains(t.TaskId));
        Dispatch.RemoveAll(d => moved.Contains(d.Task));
        PoolWaits.RemoveAll(moved.Contains);
        return rest;
    }

    public void StartRun() => RunTransition = new RunTransition(run.Record.RunId, DagRunState.Queued, DagRunState.Running, at);

    public RunTransition EndRun(DagRunState final) => new(run.Record.RunId, DagRunState.Running, final, at);
}
