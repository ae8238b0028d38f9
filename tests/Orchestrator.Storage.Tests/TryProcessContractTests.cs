using Npgsql;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests;

/// <summary>The process group of a running try is recorded once, kept across reopening, and never written onto a
/// try that has ended: a restarted engine reads it to stop the lost try's processes before the retry.</summary>
public abstract class TryProcessContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 3, 0, 0, TimeSpan.Zero);
    private static readonly RunId Run = new("r1");
    private static readonly TaskId A = new("a");
    private static readonly TaskProcess Group = new("worker-host-1", "6a1d2359-84e0-4886-84d7-f53d56ff8762", 4242, 987_654_321_012);

    protected IMetadataStore Store { get; private set; } = null!;

    protected abstract Task<IMetadataStore> OpenAsync();

    protected virtual Task DropAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        Store = await OpenAsync();
        await Store.Runs.CreateAsync(
            new DagRunRecord(Run, new DagId("etl"), "v1", T0, RunType.Manual, DagRunState.Queued, "{}", T0),
            [new TaskInstanceRecord(Run, A, TaskInstanceState.None, 0, 3, "default", T0)],
            default);
        foreach (var (from, to) in new[] { (TaskInstanceState.None, TaskInstanceState.Scheduled), (TaskInstanceState.Scheduled, TaskInstanceState.Queued) })
        {
            Assert.True(await Store.TaskInstances.TryTransitionAsync(new TaskTransition(Run, A, from, to, "ready", T0), default));
        }
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await DropAsync();
    }

    [Fact]
    public async Task RunningTry_RecordsItsProcessOnce_AndKeepsItAfterReopening()
    {
        Assert.True(await Store.TaskInstances.TryStartTryAsync(new TryStart(Run, A, 1, "w1", T0), default));
        Assert.Null(Assert.Single(await Store.TaskInstances.ListTriesAsync(Run, A, default)).Process);

        Assert.True(await Store.TaskInstances.RecordTryProcessAsync(Run, A, 1, Group, default));
        Assert.False(await Store.TaskInstances.RecordTryProcessAsync(Run, A, 1, Group with { ProcessGroupId = 7 }, default)); // set once
        await Store.DisposeAsync();
        Store = await OpenAsync();

        var tried = Assert.Single(await Store.TaskInstances.ListTriesAsync(Run, A, default));
        Assert.Equal(Group, tried.Process);
        Assert.Equal(Group, Assert.Single(await Store.TaskInstances.ListTriesAsync(Run, null, default)).Process);
    }

    [Fact]
    public async Task EndedOrUnknownTry_GetsNoProcess()
    {
        Assert.False(await Store.TaskInstances.RecordTryProcessAsync(Run, A, 1, Group, default)); // not started
        Assert.True(await Store.TaskInstances.TryStartTryAsync(new TryStart(Run, A, 1, "w1", T0), default));
        Assert.True(await Store.TaskInstances.TryFinishTryAsync(
            new TryFinish(Run, A, 1, "failed", "exit 1", T0.AddSeconds(1), TaskInstanceState.UpForRetry, "retry", T0.AddSeconds(5)), default));

        Assert.False(await Store.TaskInstances.RecordTryProcessAsync(Run, A, 1, Group, default)); // ended
        Assert.False(await Store.TaskInstances.RecordTryProcessAsync(Run, A, 2, Group, default)); // no such try
        Assert.False(await Store.TaskInstances.RecordTryProcessAsync(Run, new TaskId("nope"), 1, Group, default));
        Assert.Null(Assert.Single(await Store.TaskInstances.ListTriesAsync(Run, A, default)).Process);
    }

    [Fact]
    public async Task EachTry_HasItsOwnProcess()
    {
        await Store.TaskInstances.TryStartTryAsync(new TryStart(Run, A, 1, "w1", T0), default);
        await Store.TaskInstances.RecordTryProcessAsync(Run, A, 1, Group, default);
        await Store.TaskInstances.TryFinishTryAsync(
            new TryFinish(Run, A, 1, "lost", "engine restarted", T0.AddSeconds(1), TaskInstanceState.UpForRetry, "lost", T0.AddSeconds(1)), default);
        await Store.TaskInstances.TryTransitionAsync(new TaskTransition(Run, A, TaskInstanceState.UpForRetry, TaskInstanceState.Queued, "retry due", T0.AddSeconds(1)), default);
        await Store.TaskInstances.TryStartTryAsync(new TryStart(Run, A, 2, "w2", T0.AddSeconds(2)), default);
        var second = new TaskProcess("worker-host-2", "another-boot", 99, 5);

        Assert.True(await Store.TaskInstances.RecordTryProcessAsync(Run, A, 2, second, default));

        Assert.Equal([Group, second], (await Store.TaskInstances.ListTriesAsync(Run, A, default)).Select(t => t.Process));
    }
}
public sealed class SqliteTryProcessContractTests : TryProcessContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-store-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
public sealed class PostgresTryProcessContractTests : TryProcessContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
