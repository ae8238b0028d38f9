using Orchestrator.Core.Graph;
using Orchestrator.Core.Runs;
using Orchestrator.Core.States;
using static Orchestrator.Core.States.TaskInstanceState;

namespace Orchestrator.Core.Tests.Runs;

/// <summary>Which tasks an operator's clear or mark resets, and when it is refused.</summary>
public class ManualChangesTests
{
    // extract → load → report; load → alert (one_failed); report → publish.
    private static readonly string[] Dag = ["extract", "load: extract", "report: load", "alert/one_failed: load", "publish: report"];

    [Fact]
    public void ClearAlone_ResetsTheTask_AndOnlyTheDownstreamItsResultDecided()
    {
        var plan = ManualChanges.Clear(Graph(), Snap(Success, Failed, UpstreamFailed, (Success, 1), UpstreamFailed), 1, downstream: false);

        Assert.False(plan.IsRefused);
        Assert.Equal(["load", "report", "publish"], Names(plan.Reset)); // alert ran: its result stands
    }

    [Fact]
    public void ClearWithDownstream_ResetsEveryTaskBelow()
    {
        var plan = ManualChanges.Clear(Graph(), Snap(Success, Failed, UpstreamFailed, (Success, 1), UpstreamFailed), 1, downstream: true);

        Assert.Equal(["alert", "load", "publish", "report"], Names(plan.Reset).Order());
        Assert.Equal("load", Names(plan.Reset)[0]); // topological: a task before its downstream
    }

    [Fact]
    public void ClearAlone_StopsAtATaskThatRan()
    {
        // report ran and failed: publish's upstream_failed follows from report, not from load.
        var plan = ManualChanges.Clear(Graph(), Snap(Success, (Success, 1), (Failed, 1), (Skipped, 0), UpstreamFailed), 1, downstream: false);

        Assert.Equal(["load", "alert"], Names(plan.Reset)); // alert was skipped by its rule (no try)
    }

    [Fact]
    public void SkippedByTheTaskItself_IsARealResult_AndIsKept()
    {
        var plan = ManualChanges.Clear(Graph(), Snap(Success, (Success, 1), (Success, 1), (Skipped, 1), (Success, 1)), 1, downstream: false);

        Assert.Equal(["load"], Names(plan.Reset));
    }

    [Fact]
    public void ClearingANoneTask_ResetsNothing()
    {
        var plan = ManualChanges.Clear(Graph(), Snap(Running, None, None, None, None), 1, downstream: true);

        Assert.False(plan.IsRefused);
        Assert.Empty(plan.Reset);
    }

    public static TheoryData<TaskInstanceState> InProgress() => [Queued, Running, UpForRetry, Deferred];

    // Scheduled: decided but not started (waiting for its pool's slots), so an operator may clear or mark it.
    public static TheoryData<TaskInstanceState> NotInProgress() => [None, Scheduled, Success, Failed, Skipped, UpstreamFailed, Removed];

    [Theory]
    [MemberData(nameof(InProgress))]
    public void ATaskInProgress_IsRefused_ForClearAndMark(TaskInstanceState state)
    {
        var tasks = Snap(Success, (state, 1), None, None, None);

        var clear = ManualChanges.Clear(Graph(), tasks, 1, downstream: false);
        var mark = ManualChanges.Mark(Graph(), tasks, 1, Success);

        Assert.Equal($"task 'load' is {state.ToName()}; wait until it ends (a task in progress cannot be cleared or marked)", clear.Refusal);
        Assert.Equal(clear.Refusal, mark.Refusal);
        Assert.Empty(clear.Reset);
        Assert.True(state.IsInProgress());
    }

    [Theory]
    [MemberData(nameof(NotInProgress))]
    public void ATaskNotInProgress_CanBeClearedAndMarked(TaskInstanceState state)
    {
        var tasks = Snap(Success, (state, 1), None, None, None);

        Assert.False(ManualChanges.Clear(Graph(), tasks, 1, downstream: false).IsRefused);
        Assert.False(ManualChanges.Mark(Graph(), tasks, 1, Failed).IsRefused);
        Assert.False(state.IsInProgress());
    }

    [Fact]
    public void ClearingAScheduledTask_ResetsIt_AndMarkingIt_ResetsOnlyItsRuleDecidedDownstream()
    {
        // load waits for its pool; report and publish are none, alert none: nothing below was decided from load.
        var tasks = Snap(Success, (Scheduled, 0), None, None, None);

        Assert.Equal(["load"], Names(ManualChanges.Clear(Graph(), tasks, 1, downstream: false).Reset));
        Assert.Equal(["load"], Names(ManualChanges.Clear(Graph(), tasks, 1, downstream: true).Reset)); // none below: nothing to reset
        Assert.Empty(ManualChanges.Mark(Graph(), tasks, 1, Success).Reset);
    }

    [Fact]
    public void ClearWithDownstream_IsRefused_WhenATaskBelowIsRunning()
    {
        var plan = ManualChanges.Clear(Graph(), Snap(Success, Failed, UpstreamFailed, (Running, 1), UpstreamFailed), 1, downstream: true);

        Assert.Equal("task 'alert' is running; wait until it ends (a task in progress cannot be cleared or marked)", plan.Refusal);
        Assert.False(ManualChanges.Clear(Graph(), Snap(Success, Failed, UpstreamFailed, (Running, 1), UpstreamFailed), 1, downstream: false).IsRefused);
    }

    [Fact]
    public void Mark_ResetsTheRuleDecidedDownstream_NotTheTaskItself()
    {
        var plan = ManualChanges.Mark(Graph(), Snap(Success, Failed, UpstreamFailed, (Success, 1), UpstreamFailed), 1, Success);

        Assert.Equal(["report", "publish"], Names(plan.Reset));
    }

    [Theory]
    [InlineData(None)]
    [InlineData(Running)]
    [InlineData(Skipped)]
    [InlineData(UpstreamFailed)]
    public void Mark_ToAnotherState_Throws(TaskInstanceState to)
    {
        var error = Assert.Throws<ArgumentException>(() => ManualChanges.Mark(Graph(), Snap(Success, Failed, None, None, None), 1, to));

        Assert.StartsWith($"a task can be marked success or failed, not {to.ToName()}", error.Message, StringComparison.Ordinal);
    }

    private static DagGraph Graph() => DagGraph.Create(TestDags.Tasks(Dag));

    private static TaskSnapshot[] Snap(params object[] states) =>
        [.. states.Select(s => s switch
        {
            TaskInstanceState state => new TaskSnapshot(state, state is Success or Failed ? 1 : 0),
            ValueTuple<TaskInstanceState, int> pair => new TaskSnapshot(pair.Item1, pair.Item2),
            _ => throw new ArgumentException("a state or (state, try)", nameof(states)),
        })];

    private static string[] Names(IReadOnlyList<int> tasks) => [.. tasks.Select(i => Graph().TaskIds[i].Value)];
}
