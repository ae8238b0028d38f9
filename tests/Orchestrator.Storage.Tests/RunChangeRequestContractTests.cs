using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>Clear and mark requests on every backend: filed pending, taken by one driver, decided once; a withdrawn
/// request can never be taken, and a taken one can no longer be withdrawn.</summary>
public abstract class RunChangeRequestContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static RunChangeRequest Clear(string task, bool downstream = false) =>
        new(0, new RunId("r1"), new TaskId(task), downstream, null, "cleared by ada", T0);

    [Fact]
    public async Task ARequest_IsFiledPending_TakenOnce_AndDecidedOnce()
    {
        var id = await Store.RunChanges.SubmitAsync(Clear("train", downstream: true), default);
        var filed = await Store.RunChanges.GetAsync(id, default);
        Assert.Equal(Clear("train", downstream: true) with { Id = id }, filed);
        Assert.Equal([id], (await Store.RunChanges.OpenAsync(default)).Select(r => r.Id));

        Assert.False(await Store.RunChanges.DecideAsync(id, RunChangeStatus.Applied, "train", T0, default)); // not taken yet
        Assert.True(await Store.RunChanges.TakeAsync(id, "scheduler-a", T0.AddSeconds(1), default));
        Assert.False(await Store.RunChanges.WithdrawAsync(id, T0.AddSeconds(2), default)); // taken: it will be decided
        Assert.True(await Store.RunChanges.DecideAsync(id, RunChangeStatus.Applied, "train,evaluate", T0.AddSeconds(3), default));
        Assert.False(await Store.RunChanges.DecideAsync(id, RunChangeStatus.Refused, "again", T0.AddSeconds(4), default));
        Assert.False(await Store.RunChanges.TakeAsync(id, "scheduler-b", T0.AddSeconds(5), default));

        Assert.Equal(
            new RunChangeRequest(id, new RunId("r1"), new TaskId("train"), true, null, "cleared by ada", T0, RunChangeStatus.Applied, "train,evaluate", "scheduler-a", T0.AddSeconds(3)),
            await Store.RunChanges.GetAsync(id, default));
        Assert.Empty(await Store.RunChanges.OpenAsync(default));
    }

    [Fact]
    public async Task AWithdrawnRequest_CanNeverBeTaken()
    {
        var id = await Store.RunChanges.SubmitAsync(Clear("train"), default);
        Assert.True(await Store.RunChanges.WithdrawAsync(id, T0.AddSeconds(10), default));
        Assert.False(await Store.RunChanges.TakeAsync(id, "scheduler-a", T0.AddSeconds(11), default));
        Assert.Equal(RunChangeStatus.Withdrawn, (await Store.RunChanges.GetAsync(id, default))!.Status);
        Assert.Empty(await Store.RunChanges.OpenAsync(default));
    }

    [Fact]
    public async Task ARequestTakenByADriverThatDied_IsTakenOverByTheNext_AndAMarkKeepsItsState()
    {
        var mark = new RunChangeRequest(0, new RunId("r2"), new TaskId("gate"), false, TaskInstanceState.Failed, "marked failed by ada", T0);
        var first = await Store.RunChanges.SubmitAsync(Clear("a"), default);
        var id = await Store.RunChanges.SubmitAsync(mark, default);
        Assert.True(id > first);
        Assert.True(await Store.RunChanges.TakeAsync(id, "scheduler-a", T0, default));
        Assert.True(await Store.RunChanges.TakeAsync(id, "scheduler-b", T0.AddSeconds(40), default));

        var open = await Store.RunChanges.OpenAsync(default);
        Assert.Equal([first, id], open.Select(r => r.Id)); // oldest first
        Assert.Equal(mark with { Id = id, Status = RunChangeStatus.Taken, DecidedBy = "scheduler-b", DecidedAt = T0.AddSeconds(40) }, open[1]);
        Assert.True(open[1].IsMark);
    }

    [Fact]
    public async Task AChangeDecidingItsRequest_CommitsBoth_OnlyWhileItsDriverHoldsTheRequest()
    {
        var run = new RunId("r9");
        await Store.Runs.CreateAsync(new DagRunRecord(run, new DagId("d"), "v1", T0, RunType.Manual, DagRunState.Running, "{}", T0),
            [new TaskInstanceRecord(run, new TaskId("t"), TaskInstanceState.Success, 1, 1, "default", T0)], default);
        var id = await Store.RunChanges.SubmitAsync(Clear("t") with { RunId = run }, default);
        Assert.True(await Store.RunChanges.TakeAsync(id, "scheduler-a", T0.AddSeconds(1), default));
        StateChangeBatch ClearT(string driver) => new(Transitions: [new TaskTransition(run, new TaskId("t"), TaskInstanceState.Success, TaskInstanceState.None, "cleared by ada", T0.AddSeconds(2))])
        {
            DecidesRequest = new RunChangeDecision(id, driver, "t", T0.AddSeconds(2)),
        };

        // Another driver (this one's takeover of a driver it thinks died) cannot commit the change: nothing is written.
        var refused = await Store.ApplyAsync(ClearT("scheduler-b"), default);
        Assert.False(refused.Applied);
        Assert.Contains($"change request {id}", refused.FailedCondition, StringComparison.Ordinal);
        Assert.Equal(TaskInstanceState.Success, (await Store.TaskInstances.ListAsync(run, default)).Single().State);
        Assert.Equal(RunChangeStatus.Taken, (await Store.RunChanges.GetAsync(id, default))!.Status);

        Assert.True((await Store.ApplyAsync(ClearT("scheduler-a"), default)).Applied);
        Assert.Equal(TaskInstanceState.None, (await Store.TaskInstances.ListAsync(run, default)).Single().State);
        var decided = (await Store.RunChanges.GetAsync(id, default))!;
        Assert.Equal((RunChangeStatus.Applied, "t", "scheduler-a", (DateTimeOffset?)T0.AddSeconds(2)), (decided.Status, decided.Outcome, decided.DecidedBy, decided.DecidedAt));
        Assert.False(await Store.RunChanges.TakeAsync(id, "scheduler-b", T0.AddSeconds(3), default)); // never applied twice
    }

    [Fact]
    public async Task Purge_DeletesOnlyRequestsDecidedBeforeTheCutoff_NeverOpenOnes()
    {
        var applied = await Store.RunChanges.SubmitAsync(Clear("a"), default);
        await Store.RunChanges.TakeAsync(applied, "s", T0, default);
        await Store.RunChanges.DecideAsync(applied, RunChangeStatus.Applied, "a", T0.AddMinutes(1), default);
        var refused = await Store.RunChanges.SubmitAsync(Clear("b"), default);
        await Store.RunChanges.TakeAsync(refused, "s", T0, default);
        await Store.RunChanges.DecideAsync(refused, RunChangeStatus.Refused, "busy", T0.AddMinutes(2), default);
        var withdrawn = await Store.RunChanges.SubmitAsync(Clear("c"), default);
        await Store.RunChanges.WithdrawAsync(withdrawn, T0.AddMinutes(3), default);
        var recent = await Store.RunChanges.SubmitAsync(Clear("d"), default);
        await Store.RunChanges.WithdrawAsync(recent, T0.AddMinutes(10), default);
        var pending = await Store.RunChanges.SubmitAsync(Clear("e"), default);
        var taken = await Store.RunChanges.SubmitAsync(Clear("f"), default);
        await Store.RunChanges.TakeAsync(taken, "s", T0, default); // taken long ago, never decided: still open

        Assert.Equal(3, await Store.RunChanges.PurgeDecidedAsync(T0.AddMinutes(10), default));

        foreach (var gone in new[] { applied, refused, withdrawn })
        {
            Assert.Null(await Store.RunChanges.GetAsync(gone, default));
        }

        Assert.Equal(RunChangeStatus.Withdrawn, (await Store.RunChanges.GetAsync(recent, default))!.Status); // decided at the cutoff: kept
        Assert.Equal([pending, taken], (await Store.RunChanges.OpenAsync(default)).Select(r => r.Id));
        Assert.Equal(0, await Store.RunChanges.PurgeDecidedAsync(T0.AddMinutes(10), default));
    }

    [Fact]
    public async Task BadInput_IsRefused_AndFilesNothing()
    {
        var running = new RunChangeRequest(0, new RunId("r1"), new TaskId("t"), false, TaskInstanceState.Running, "x", T0);
        Assert.Equal("request", (await Assert.ThrowsAsync<ArgumentException>(() => Store.RunChanges.SubmitAsync(running, default))).ParamName);
        Assert.Equal("status", (await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.RunChanges.DecideAsync(1, RunChangeStatus.Pending, "", T0, default))).ParamName);
        Assert.Empty(await Store.RunChanges.OpenAsync(default));
        Assert.Null(await Store.RunChanges.GetAsync(1, default));
    }
}

public sealed class SqliteRunChangeRequestContractTests : RunChangeRequestContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-run-changes-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresRunChangeRequestContractTests : RunChangeRequestContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
