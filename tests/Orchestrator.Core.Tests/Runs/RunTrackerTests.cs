using Orchestrator.Core.Graph;
using Orchestrator.Core.Runs;
using Orchestrator.Core.States;
using static Orchestrator.Core.States.TaskInstanceState;

namespace Orchestrator.Core.Tests.Runs;

public class RunTrackerTests
{
    [Fact]
    public void Start_SchedulesRootsAndAlwaysTasks()
    {
        var (tracker, decisions) = CreateSut("a", "b: a", "c/always: b");

        tracker.Start(decisions);

        Assert.Equal(["a", "c"], Names(tracker, decisions));
    }

    [Fact]
    public void Failure_CascadesUpstreamFailed_DownAChain_AndOneFailedRuns()
    {
        var (tracker, decisions) = CreateSut("extract", "load: extract", "report: load", "alert/one_failed: load");
        tracker.Start(decisions);
        decisions.Clear();

        tracker.Complete(Index(tracker, "extract"), Failed, decisions);

        Assert.Equal(UpstreamFailed, tracker.StateOf(Index(tracker, "load")));
        Assert.Equal(UpstreamFailed, tracker.StateOf(Index(tracker, "report")));
        Assert.Equal(Scheduled, tracker.StateOf(Index(tracker, "alert"))); // upstream_failed counts for one_failed
    }

    [Fact]
    public void Skip_CascadesDownAllSuccessTasks_ButAllDoneStillRuns()
    {
        var (tracker, decisions) = CreateSut("a", "b: a", "c: b", "cleanup/all_done: c");
        tracker.Start(decisions);

        tracker.Complete(Index(tracker, "a"), Skipped, decisions);

        Assert.Equal(Skipped, tracker.StateOf(Index(tracker, "b")));
        Assert.Equal(Skipped, tracker.StateOf(Index(tracker, "c")));
        Assert.Equal(Scheduled, tracker.StateOf(Index(tracker, "cleanup")));
    }

    [Fact]
    public void Diamond_JoinWaitsForBothBranches()
    {
        var (tracker, decisions) = CreateSut("a", "b: a", "c: a", "d: b c");
        tracker.Start(decisions);
        tracker.Complete(Index(tracker, "a"), Success, decisions);
        tracker.Complete(Index(tracker, "b"), Success, decisions);

        Assert.Equal(None, tracker.StateOf(Index(tracker, "d")));

        tracker.Complete(Index(tracker, "c"), Success, decisions);
        Assert.Equal(Scheduled, tracker.StateOf(Index(tracker, "d")));
    }

    [Theory]
    [InlineData(Success, Success, DagRunState.Success)]
    [InlineData(Failed, Success, DagRunState.Failed)] // on_success, a leaf, is upstream_failed
    [InlineData(Success, Failed, DagRunState.Failed)]
    public void RunState_IsDecidedByTheLeaves(TaskInstanceState work, TaskInstanceState handler, DagRunState expected)
    {
        var (tracker, decisions) = CreateSut("work", "on_failure/one_failed: work", "on_success: work");
        tracker.Start(decisions);
        tracker.Complete(Index(tracker, "work"), work, decisions);
        var handlerTask = Index(tracker, work == Failed ? "on_failure" : "on_success");
        tracker.Complete(handlerTask, handler, decisions);

        Assert.True(tracker.IsFinished);
        Assert.Equal(expected, tracker.FinalRunState());
    }

    [Fact]
    public void RunSucceeds_WhenAFailureIsHandledByTheOnlyLeaf_AsInAirflow()
    {
        var (tracker, decisions) = CreateSut("work", "on_failure/one_failed: work");
        tracker.Start(decisions);
        tracker.Complete(0, Failed, decisions);
        tracker.Complete(1, Success, decisions);

        Assert.Equal(DagRunState.Success, tracker.FinalRunState());
    }

    [Fact]
    public void Complete_Twice_Throws()
    {
        var (tracker, decisions) = CreateSut("a");
        tracker.Start(decisions);
        tracker.Complete(0, Success, decisions);

        var error = Assert.Throws<InvalidOperationException>(() => tracker.Complete(0, Failed, decisions));
        Assert.Equal("task 'a' already finished as success", error.Message);
    }

    [Fact]
    public void Restore_ContinuesFromRecordedStates()
    {
        var (tracker, decisions) = CreateSut("a", "b: a", "c: b");
        tracker.Restore(Index(tracker, "a"), Success);
        tracker.Restore(Index(tracker, "b"), Running);
        tracker.Start(decisions);
        Assert.Empty(decisions); // nothing new is ready: b is already running

        tracker.Complete(Index(tracker, "b"), Success, decisions);

        Assert.Equal(["c"], Names(tracker, decisions));
    }

    [Fact]
    public void Replay_OfARecordedHistory_AlwaysReachesTheSameStates()
    {
        string[] dag = ["a", "b: a", "c: a", "d/none_failed: b c", "e/one_success: b c", "f/all_failed: d"];
        (string Task, TaskInstanceState State)[] history = [("a", Success), ("b", Skipped), ("c", Success), ("e", Failed), ("d", Success)];

        var first = Replay(dag, history);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(first, Replay(dag, history));
        }

        Assert.Equal("a=success b=skipped c=success d=success e=failed f=skipped", first);
    }

    [Fact]
    public void EveryTaskIsDecidedOnce_AndCompletingOneOnlyTouchesItsDownstream()
    {
        var lines = new List<string> { "root" };
        lines.AddRange(Enumerable.Range(0, 10_000).Select(i => $"w{i}: root"));
        lines.Add($"join: {string.Join(' ', Enumerable.Range(0, 10_000).Select(i => $"w{i}"))}");
        var (tracker, decisions) = CreateSut([.. lines]);
        tracker.Start(decisions);
        tracker.Complete(0, Success, decisions);
        Assert.Equal(10_001, decisions.Count); // root + every worker, nothing else

        for (var i = 1; i <= 10_000; i++)
        {
            decisions.Clear();
            tracker.Complete(i, Success, decisions);
            Assert.Equal(i == 10_000 ? 1 : 0, decisions.Count);
        }

        Assert.Equal(Scheduled, tracker.StateOf(10_001));
    }

    private static string Replay(string[] dag, (string Task, TaskInstanceState State)[] history)
    {
        var (tracker, decisions) = CreateSut(dag);
        tracker.Start(decisions);
        foreach (var (task, state) in history)
        {
            tracker.Complete(Index(tracker, task), state, decisions);
        }

        return string.Join(' ', tracker.Graph.TaskIds.Select((id, i) => $"{id}={tracker.StateOf(i).ToName()}"));
    }

    private static (RunTracker Tracker, List<TaskDecision> Decisions) CreateSut(params string[] lines)
    {
        var tasks = TestDags.Tasks(lines);
        return (new RunTracker(DagGraph.Create(tasks), tasks), []);
    }

    private static int Index(RunTracker tracker, string id) => tracker.Graph.IndexOf(new Model.TaskId(id));

    private static string[] Names(RunTracker tracker, List<TaskDecision> decisions) =>
        [.. decisions.Where(d => d.State == Scheduled).Select(d => tracker.Graph.TaskIds[d.Task].Value)];
}
