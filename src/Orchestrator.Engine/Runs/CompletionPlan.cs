using Orchestrator.Core.Model;
using Orchestrator.Core.Runs;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Runs;

/// <summary>The state changes one decision step makes, gathered so they commit together: tracker decisions become
/// compare-and-set transitions, ready tasks go none → scheduled → queued and are dispatched after the commit.</summary>
internal sealed class CompletionPlan(ActiveRun run, DateTimeOffset at)
{
    /// <summary>When the plan's decisions were made.</summary>
    public DateTimeOffset At => at;

    public List<TaskTransition> Transitions { get; } = [];

    public List<(TaskId Task, int FirstTry)> Dispatch { get; } = [];

    public RunTransition? RunTransition { get; private set; }

    public void AddDecisions(IEnumerable<TaskDecision> decisions)
    {
        foreach (var decision in decisions)
        {
            var task = run.Dag.Definition.Tasks[decision.Task].Id;
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

    public void StartRun() => RunTransition = new RunTransition(run.Record.RunId, DagRunState.Queued, DagRunState.Running, at);

    public RunTransition EndRun(DagRunState final) => new(run.Record.RunId, DagRunState.Running, final, at);
}
