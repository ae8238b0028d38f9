using Orchestrator.Core.Model;
using Orchestrator.Core.States;

namespace Orchestrator.Application.Tests;

/// <summary>Clear and mark with the embedded engine in the same process (as in <c>standalone</c>): a finished run is
/// reopened and the engine runs what the change left to do; a run the engine drives is changed through its coordinator.</summary>
public abstract class EngineCommandTests
{
    private static readonly Actor Alice = new("alice");
    private static readonly TaskId A = new("a");
    private static readonly TaskId B = new("b");
    private static readonly TaskId C = new("c");

    protected abstract ITestBackend Backend();

    [Fact]
    public async Task ClearingAFailedTask_RunsItAgainAsTry2_AndItsUpstreamFailedDownstreamRuns_AndTheRunSucceeds()
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: true);
        host.Script.Fail("b", 1);
        var runId = await host.Runs.TriggerAsync(AppHost.Flow, null, Alice, default);
        Assert.Equal(DagRunState.Failed, await host.EndedAsync(runId));
        Assert.Equal("a=success b=failed c=upstream_failed", await host.StatesAsync(runId));

        var cleared = await host.Tasks.ClearAsync(runId, B, downstream: false, Alice, default);

        Assert.Equal([B, C], cleared);
        Assert.Equal(DagRunState.Success, await host.EndedAgainAsync(runId));
        Assert.Equal("a=success b=success c=success", await host.StatesAsync(runId));
        Assert.Equal([1, 2], (await host.Store.TaskInstances.ListTriesAsync(runId, B, default)).Select(t => t.TryNumber));
        Assert.Equal([1], (await host.Store.TaskInstances.ListTriesAsync(runId, A, default)).Select(t => t.TryNumber));
        Assert.Contains(await host.Store.TaskInstances.HistoryAsync(runId, B, default), change => change is { From: TaskInstanceState.Failed, To: TaskInstanceState.None, Reason: "cleared by alice" });
    }

    [Fact]
    public async Task ClearWithDownstream_OfASucceededRun_RunsEveryTaskBelowAgain()
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: true);
        var runId = await host.Runs.TriggerAsync(AppHost.Flow, null, Alice, default);
        Assert.Equal(DagRunState.Success, await host.EndedAsync(runId));

        var cleared = await host.Tasks.ClearAsync(runId, A, downstream: true, Alice, default);

        Assert.Equal([A, B, C], cleared);
        Assert.Equal(DagRunState.Success, await host.EndedAgainAsync(runId));
        foreach (var task in new[] { A, B, C })
        {
            Assert.Equal([1, 2], (await host.Store.TaskInstances.ListTriesAsync(runId, task, default)).Select(t => t.TryNumber));
        }
    }

    [Fact]
    public async Task ClearWhileTheEngineDrivesTheRun_GoesThroughItsCoordinator_AndTheRunCompletes()
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: true);
        var holdC = host.Script.Hold("c", 1);
        var runId = await host.Runs.TriggerAsync(AppHost.Flow, null, Alice, default);
        await host.WaitForAsync(runId, "c", TaskInstanceState.Running);

        // c runs: clearing it, or a with its downstream, is refused and changes nothing.
        var running = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Tasks.ClearAsync(runId, C, false, Alice, default));
        var below = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Tasks.ClearAsync(runId, A, true, Alice, default));
        Assert.Equal((ProblemKind.Conflict, "task 'c' is running; wait until it ends (a task in progress cannot be cleared or marked)"), (running.Kind, running.Message));
        Assert.Equal(ProblemKind.Conflict, below.Kind);
        Assert.Equal("a=success b=success c=running", await host.StatesAsync(runId));

        // a alone can be cleared: the engine runs it again at once, beside c.
        var holdA = host.Script.Hold("a", 2);
        Assert.Equal([A], await host.Tasks.ClearAsync(runId, A, false, Alice, default));
        await host.Script.Started("a", 2).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(DagRunState.Running, (await host.RunAsync(runId)).State);

        holdC.SetResult();
        holdA.SetResult();
        Assert.Equal(DagRunState.Success, await host.EndedAsync(runId));
        Assert.Equal([1, 2], (await host.Store.TaskInstances.ListTriesAsync(runId, A, default)).Select(t => t.TryNumber));
    }

    [Fact]
    public async Task MarkSuccess_OfAFailedTask_LetsItsDownstreamRun_WithoutRunningTheTask()
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: true);
        host.Script.Fail("b", 1);
        var runId = await host.Runs.TriggerAsync(AppHost.Flow, null, Alice, default);
        Assert.Equal(DagRunState.Failed, await host.EndedAsync(runId));

        await host.Tasks.MarkAsync(runId, B, TaskInstanceState.Success, Alice, default);

        Assert.Equal(DagRunState.Success, await host.EndedAgainAsync(runId));
        var b = await host.TaskAsync(runId, "b");
        Assert.Equal((TaskInstanceState.Success, "marked success by alice", 1), (b.State, b.StateReason, b.TryNumber));
        Assert.Single(await host.Store.TaskInstances.ListTriesAsync(runId, B, default));
        Assert.Single(await host.Store.TaskInstances.ListTriesAsync(runId, C, default));
    }

    [Fact]
    public async Task MarkingARunningTask_IsAConflict_AndChangesNothing_ButATaskWaitingOnIt_CanBeMarked()
    {
        await using var host = await AppHost.StartAsync(Backend(), engine: true);
        var holdB = host.Script.Hold("b", 1);
        var runId = await host.Runs.TriggerAsync(AppHost.Flow, null, Alice, default);
        await host.WaitForAsync(runId, "b", TaskInstanceState.Running);

        var problem = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Tasks.MarkAsync(runId, B, TaskInstanceState.Failed, Alice, default));

        Assert.Equal(ProblemKind.Conflict, problem.Kind);
        Assert.Equal("a=success b=running c=none", await host.StatesAsync(runId));

        await host.Tasks.MarkAsync(runId, C, TaskInstanceState.Success, Alice, default); // through the coordinator
        holdB.SetResult();
        Assert.Equal(DagRunState.Success, await host.EndedAsync(runId));
        Assert.Empty(await host.Store.TaskInstances.ListTriesAsync(runId, C, default)); // c never ran
        Assert.Equal("marked success by alice", (await host.TaskAsync(runId, "c")).StateReason);
    }
}

public sealed class SqliteEngineCommandTests : EngineCommandTests
{
    protected override ITestBackend Backend() => new SqliteBackend();
}

public sealed class PostgresEngineCommandTests : EngineCommandTests
{
    protected override ITestBackend Backend() => new PostgresBackend();
}
