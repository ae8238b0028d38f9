using Orchestrator.Core.Graph;
using Orchestrator.Core.Runs;
using Orchestrator.Core.States;
using Orchestrator.Core.TriggerRules;
using static Orchestrator.Core.States.TaskInstanceState;

namespace Orchestrator.Core.Tests.Runs;

/// <summary><see cref="RunTracker.Reset"/>: a task put back to none and finished again leaves the tracker exactly as
/// if it had finished that way the first time, for every pair of results and every trigger rule downstream.</summary>
public class RunTrackerResetTests
{
    private static readonly TaskInstanceState[] Finals = [Success, Failed, Skipped, UpstreamFailed, Removed];

    public static TheoryData<TaskInstanceState, TaskInstanceState, TriggerRule> EveryChange()
    {
        var data = new TheoryData<TaskInstanceState, TaskInstanceState, TriggerRule>();
        foreach (var first in Finals)
        {
            foreach (var second in Finals)
            {
                foreach (var rule in Enum.GetValues<TriggerRule>())
                {
                    data.Add(first, second, rule);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryChange))]
    public void ResetThenFinishAgain_IsTheSameAsFinishingThatWayFirst(TaskInstanceState first, TaskInstanceState second, TriggerRule rule)
    {
        // a and b feed c; b ended successfully; a ends `first`, is reset (with c's decision), then ends `second`.
        string[] dag = ["a", "b", $"c/{rule.ToName()}: a b", "d: c"];
        var (changed, decisions) = Create(dag);
        changed.Start(decisions);
        changed.Complete(1, Success, decisions);
        changed.Complete(0, first, decisions);
        foreach (var downstream in new[] { 2, 3 }.Where(i => changed.StateOf(i) == Scheduled))
        {
            changed.Complete(downstream, Success, decisions); // they ran; a clear with downstream resets them too
        }

        changed.Reset(3);
        changed.Reset(2);
        changed.Reset(0);
        Assert.Equal(None, changed.StateOf(0));
        Assert.Equal(None, changed.StateOf(2));
        Assert.False(changed.IsFinished);
        var afterReset = new List<TaskDecision>();
        changed.Start(afterReset);
        changed.Complete(0, second, decisions);

        var (fresh, freshDecisions) = Create(dag);
        fresh.Start(freshDecisions);
        fresh.Complete(1, Success, freshDecisions);
        // The same decisions as a run's start and b's success, b aside (it stays done).
        Assert.Equal(freshDecisions.Where(d => d.Task != 1).Select(d => (d.Task, d.State)), afterReset.Select(d => (d.Task, d.State)));
        fresh.Complete(0, second, freshDecisions);

        Assert.Equal(States(fresh), States(changed));
        Assert.Equal(fresh.IsFinished, changed.IsFinished);
        Assert.Equal(fresh.FinalRunState(), changed.FinalRunState());
    }

    [Fact]
    public void Reset_OfATaskNotFinished_Throws_AndOfANoneTask_DoesNothing()
    {
        var (tracker, decisions) = Create("a", "b: a");
        tracker.Reset(1); // none: nothing to undo
        tracker.Start(decisions);

        var error = Assert.Throws<InvalidOperationException>(() => tracker.Reset(0));

        Assert.Equal("task 'a' is scheduled: only a finished task can be reset", error.Message);
        Assert.Equal(Scheduled, tracker.StateOf(0));
        Assert.Equal(None, tracker.StateOf(1));
    }

    [Fact]
    public void Unschedule_PutsAScheduledTaskBackToNone_AndStartDecidesItAgain_WhileAnyOtherStateThrows()
    {
        var (tracker, decisions) = Create("a", "b: a");
        tracker.Start(decisions);

        tracker.Unschedule(0);
        Assert.Equal(None, tracker.StateOf(0));
        decisions.Clear();
        tracker.Start(decisions);
        Assert.Equal([(0, Scheduled)], decisions.Select(d => (d.Task, d.State)));

        // Marked instead: unscheduled, then finished; its downstream follows as after any success.
        tracker.Unschedule(0);
        decisions.Clear();
        tracker.Complete(0, Success, decisions);
        Assert.Equal([(1, Scheduled)], decisions.Select(d => (d.Task, d.State)));
        Assert.Equal("task 'a' is success: only a scheduled task can be unscheduled", Assert.Throws<InvalidOperationException>(() => tracker.Unschedule(0)).Message);
        tracker.Complete(1, Success, decisions);
        Assert.Equal(DagRunState.Success, tracker.FinalRunState());
    }

    [Fact]
    public void Start_AfterARestore_CascadesInTopologicalOrder_WhateverTheDeclarationOrder()
    {
        // Declared leaf first: a scan by index would decide c before b and leave c waiting forever.
        var (tracker, decisions) = Create("c: b", "b: a", "a");
        tracker.Restore(2, Failed);

        tracker.Start(decisions);

        Assert.Equal(UpstreamFailed, tracker.StateOf(1));
        Assert.Equal(UpstreamFailed, tracker.StateOf(0));
        Assert.True(tracker.IsFinished);
    }

    [Fact]
    public void MarkSuccess_OfAFailedTask_LetsItsUpstreamFailedDownstreamRun()
    {
        var (tracker, decisions) = Create("a", "b: a", "c: b");
        tracker.Start(decisions);
        tracker.Complete(0, Failed, decisions);
        Assert.Equal(DagRunState.Failed, tracker.FinalRunState());

        tracker.Reset(2);
        tracker.Reset(1);
        tracker.Reset(0);
        decisions.Clear();
        tracker.Complete(0, Success, decisions);
        tracker.Start(decisions);

        Assert.Equal([(1, Scheduled)], decisions.Select(d => (d.Task, d.State)));
        Assert.Equal(None, tracker.StateOf(2));
        Assert.Null(tracker.FinalRunState());
    }

    private static string States(RunTracker tracker) =>
        string.Join(' ', tracker.Graph.TaskIds.Select((id, i) => $"{id}={tracker.StateOf(i).ToName()}"));

    private static (RunTracker Tracker, List<TaskDecision> Decisions) Create(params string[] lines)
    {
        var tasks = TestDags.Tasks(lines);
        return (new RunTracker(DagGraph.Create(tasks), tasks), []);
    }
}
