using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>What an operator's clear needs of every store: a finished task back to none with its retries given back
/// and its times forgotten, the run reopened, all in one compare-and-set batch.</summary>
public abstract class ClearContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 3, 0, 0, TimeSpan.Zero);
    private static readonly RunId Run = new("r1");
    private static readonly TaskId A = new("a");

    private IMetadataStore _store = null!;

    protected abstract Task<IMetadataStore> OpenAsync();

    protected abstract Task DropAsync();

    public async Task InitializeAsync() => _store = await OpenAsync();

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await DropAsync();
    }

    [Fact]
    public async Task Clear_GivesRetriesBack_ForgetsTimes_AndReopensTheRun()
    {
        await FailedRunAsync();

        var result = await _store.ApplyAsync(new StateChangeBatch(
            Transitions: [new TaskTransition(Run, A, TaskInstanceState.Failed, TaskInstanceState.None, "cleared by alice", T0.AddMinutes(5), MaxTries: 2)],
            Run: new RunTransition(Run, DagRunState.Failed, DagRunState.Queued, T0.AddMinutes(5))), default);

        Assert.True(result.Applied);
        var task = Assert.Single(await _store.TaskInstances.ListAsync(Run, default));
        Assert.Equal((TaskInstanceState.None, 1, 2, "cleared by alice", (DateTimeOffset?)null, (DateTimeOffset?)null),
            (task.State, task.TryNumber, task.MaxTries, task.StateReason, task.StartedAt, task.EndedAt));
        var run = await _store.Runs.GetAsync(Run, default);
        Assert.Equal((DagRunState.Queued, T0, (DateTimeOffset?)null), (run!.State, run.StartedAt, run.EndedAt));
        Assert.Equal((TaskInstanceState.Failed, TaskInstanceState.None, "cleared by alice"),
            (await _store.TaskInstances.HistoryAsync(Run, A, default)) is { Count: > 0 } history ? (history[^1].From, history[^1].To, history[^1].Reason) : default);

        // The next try is a new row, numbered after the last.
        Assert.True((await _store.ApplyAsync(new StateChangeBatch(Transitions:
        [
            new TaskTransition(Run, A, TaskInstanceState.None, TaskInstanceState.Scheduled, "met", T0.AddMinutes(6)),
            new TaskTransition(Run, A, TaskInstanceState.Scheduled, TaskInstanceState.Queued, "queued", T0.AddMinutes(6)),
        ]), default)).Applied);
        Assert.True(await _store.TaskInstances.TryStartTryAsync(new TryStart(Run, A, 2, null, T0.AddMinutes(7)), default));
        Assert.Equal(T0.AddMinutes(7), (await _store.TaskInstances.ListAsync(Run, default))[0].StartedAt);
    }

    [Fact]
    public async Task Clear_OfARunThatChangedMeanwhile_WritesNothing()
    {
        await FailedRunAsync();

        var result = await _store.ApplyAsync(new StateChangeBatch(
            Transitions: [new TaskTransition(Run, A, TaskInstanceState.Failed, TaskInstanceState.None, "cleared by bob", T0.AddMinutes(5), MaxTries: 2)],
            Run: new RunTransition(Run, DagRunState.Success, DagRunState.Queued, T0.AddMinutes(5))), default);

        Assert.False(result.Applied);
        var task = Assert.Single(await _store.TaskInstances.ListAsync(Run, default));
        Assert.Equal((TaskInstanceState.Failed, 1), (task.State, task.MaxTries));
        Assert.Equal(DagRunState.Failed, (await _store.Runs.GetAsync(Run, default))!.State);
    }

    [Fact]
    public async Task QueuedToQueued_OnlyChecksTheRunIsStillQueued()
    {
        await _store.Runs.CreateAsync(new DagRunRecord(Run, new DagId("etl"), "v1", T0, RunType.Manual, DagRunState.Queued, "{}", T0),
            [new TaskInstanceRecord(Run, A, TaskInstanceState.None, 0, 1, "default", T0)], default);

        Assert.True(await _store.Runs.TryTransitionAsync(new RunTransition(Run, DagRunState.Queued, DagRunState.Queued, T0), default));
        Assert.True(await _store.Runs.TryTransitionAsync(new RunTransition(Run, DagRunState.Queued, DagRunState.Running, T0), default));
        Assert.False(await _store.Runs.TryTransitionAsync(new RunTransition(Run, DagRunState.Queued, DagRunState.Queued, T0), default));
    }

    [Fact]
    public async Task Mark_SetsAFinishedStateAndItsEndTime()
    {
        await FailedRunAsync();

        Assert.True(await _store.TaskInstances.TryTransitionAsync(
            new TaskTransition(Run, A, TaskInstanceState.Failed, TaskInstanceState.Success, "marked success by alice", T0.AddMinutes(9)), default));

        var task = Assert.Single(await _store.TaskInstances.ListAsync(Run, default));
        Assert.Equal((TaskInstanceState.Success, "marked success by alice", T0.AddMinutes(9)), (task.State, task.StateReason, task.EndedAt));
    }

    /// <summary>Run r1 with task a, whose only try failed; the run failed.</summary>
    private async Task FailedRunAsync()
    {
        await _store.Runs.CreateAsync(new DagRunRecord(Run, new DagId("etl"), "v1", T0, RunType.Manual, DagRunState.Queued, "{}", T0),
            [new TaskInstanceRecord(Run, A, TaskInstanceState.None, 0, 1, "default", T0)], default);
        Assert.True(await _store.Runs.TryTransitionAsync(new RunTransition(Run, DagRunState.Queued, DagRunState.Running, T0), default));
        Assert.True(await _store.TaskInstances.TryTransitionAsync(new TaskTransition(Run, A, TaskInstanceState.None, TaskInstanceState.Scheduled, "met", T0), default));
        Assert.True(await _store.TaskInstances.TryTransitionAsync(new TaskTransition(Run, A, TaskInstanceState.Scheduled, TaskInstanceState.Queued, "queued", T0), default));
        Assert.True(await _store.TaskInstances.TryStartTryAsync(new TryStart(Run, A, 1, null, T0.AddSeconds(1)), default));
        Assert.True(await _store.TaskInstances.TryFinishTryAsync(new TryFinish(Run, A, 1, "failed", "exit 1", T0.AddSeconds(2), TaskInstanceState.Failed, "exit 1"), default));
        Assert.True(await _store.Runs.TryTransitionAsync(new RunTransition(Run, DagRunState.Running, DagRunState.Failed, T0.AddSeconds(3)), default));
    }
}

public sealed class SqliteClearContractTests : ClearContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-clear-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresClearContractTests : ClearContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
