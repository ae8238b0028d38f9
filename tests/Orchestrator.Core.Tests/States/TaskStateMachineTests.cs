using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using static Orchestrator.Core.States.TaskInstanceState;

namespace Orchestrator.Core.Tests.States;

public class TaskStateMachineTests
{
    // Every allowed transition; every pair not listed must be refused.
    private static readonly (TaskInstanceState From, TaskInstanceState To)[] Expected =
    [
        (None, Scheduled), (None, Skipped), (None, UpstreamFailed), (None, Removed), (None, Success), (None, Failed),
        (Scheduled, Queued), (Scheduled, None), (Scheduled, Removed),
        (Queued, Running), (Queued, Scheduled), (Queued, None), (Queued, Removed),
        (Running, Success), (Running, Failed), (Running, Skipped), (Running, UpForRetry), (Running, Deferred), (Running, None),
        (UpForRetry, Scheduled), (UpForRetry, Queued), (UpForRetry, Failed), (UpForRetry, None),
        (Deferred, Scheduled), (Deferred, Failed), (Deferred, None),
        (Success, None), (Failed, None), (Skipped, None), (UpstreamFailed, None), (Removed, None),
        // An operator's mark.
        (Success, Failed), (Failed, Success), (Skipped, Success), (Skipped, Failed), (UpstreamFailed, Success), (UpstreamFailed, Failed),
    ];

    public static TheoryData<TaskInstanceState, TaskInstanceState> EveryPair()
    {
        var data = new TheoryData<TaskInstanceState, TaskInstanceState>();
        foreach (var from in Enum.GetValues<TaskInstanceState>())
        {
            foreach (var to in Enum.GetValues<TaskInstanceState>())
            {
                data.Add(from, to);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Transition_IsAllowed_ExactlyWhenListed(TaskInstanceState from, TaskInstanceState to) =>
        Assert.Equal(Expected.Contains((from, to)), TaskStateMachine.CanTransition(from, to));

    [Fact]
    public void RefusedTransition_SaysWhatIsAllowed()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TaskStateMachine.EnsureCanTransition(Success, Running, new TaskId("train")));

        Assert.Equal("task 'train': cannot go from success to running; allowed from success: none, failed", error.Message);
    }

    [Fact]
    public void StateNames_RoundTrip()
    {
        foreach (var state in Enum.GetValues<TaskInstanceState>())
        {
            Assert.True(TaskInstanceStates.TryParse(state.ToName(), out var parsed));
            Assert.Equal(state, parsed);
        }
    }
}
