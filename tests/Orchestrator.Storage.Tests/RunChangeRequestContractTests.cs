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
