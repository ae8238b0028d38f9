using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>Pools on every backend: their configuration and usage (slot sums by state), deletion refused while in
/// use, and admission: highest priority first, then the longest waiting, skipping a task too big for the open slots,
/// never beyond the pool's slots, freeing slots however an instance leaves queued or running.</summary>
public abstract class PoolStoreContractTests : MetadataStoreContract
{
    protected static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    protected const string Training = "training";

    [Fact]
    public async Task Set_Get_List_AndUpdate()
    {
        await Store.Pools.SetAsync(Training, 4, "GPU boxes", T0, default);
        await Store.Pools.SetAsync("alpha.io", 0, null, T0.AddMinutes(1), default);

        Assert.Equal(new PoolRecord(Training, 4, "GPU boxes", T0), await Store.Pools.GetAsync(Training, default));
        Assert.Equal(
            [new PoolRecord("alpha.io", 0, null, T0.AddMinutes(1)), new PoolRecord(Training, 4, "GPU boxes", T0)],
            await Store.Pools.ListAsync(default));
        Assert.Null(await Store.Pools.GetAsync("nope", default));

        await Store.Pools.SetAsync(Training, 2, null, T0.AddMinutes(5), default);
        Assert.Equal(new PoolRecord(Training, 2, null, T0.AddMinutes(5)), await Store.Pools.GetAsync(Training, default));
        Assert.Equal(2, (await Store.Pools.ListAsync(default)).Count);
    }

    [Fact]
    public async Task BadInput_IsRefused_NamingTheParameter_AndChangesNothing()
    {
        Assert.Equal("name", (await Assert.ThrowsAsync<ArgumentException>(() => Store.Pools.SetAsync("has space", 1, null, T0, default))).ParamName);
        Assert.Equal("name", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.Pools.SetAsync(new string('p', 65), 1, null, T0, default))).ParamName);
        Assert.Equal("slots", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.Pools.SetAsync(Training, -1, null, T0, default))).ParamName);
        Assert.Equal("name", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.Pools.GetAsync("", default))).ParamName);
        Assert.Equal("name", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.Pools.DeleteAsync("a/b", default))).ParamName);
        Assert.Equal("pool", (await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.Pools.AdmitAsync("a;b", T0, default))).ParamName);
        Assert.Equal("tasks", (await Assert.ThrowsAnyAsync<ArgumentException>(() => CreateRunAsync("r1", Waiting("a", "bad pool")))).ParamName);
        Assert.Equal("tasks", (await Assert.ThrowsAnyAsync<ArgumentException>(() => CreateRunAsync("r1", Waiting("a", Training, slots: 0)))).ParamName);

        Assert.Empty(await Store.Pools.ListAsync(default));
        Assert.Null(await Store.Runs.GetAsync(new RunId("r1"), default));
    }

    [Fact]
    public async Task TaskInstances_KeepTheirPoolSlotsAndWeight()
    {
        await CreateRunAsync("r1", Waiting("a", Training, slots: 3, weight: -7), Waiting("b", null));

        var tasks = await Store.TaskInstances.ListAsync(new RunId("r1"), default);
        Assert.Equal([("a", Training, 3, -7), ("b", null, 1, 1)], tasks.Select(t => (t.TaskId.Value, t.Pool, t.PoolSlots, t.PriorityWeight)));
        Assert.Equal(tasks[0], await Store.TaskInstances.GetAsync(new RunId("r1"), new TaskId("a"), default));
    }

    [Fact]
    public async Task Usage_SumsTheSlotsOfTheInstancesRunningQueuedAndWaiting()
    {
        await Store.Pools.SetAsync(Training, 10, null, T0, default);
        await Store.Pools.SetAsync("idle", 1, null, T0, default);
        await CreateRunAsync("r1",
            Waiting("running", Training, slots: 2) with { State = TaskInstanceState.Queued },
            Waiting("queued", Training, slots: 3) with { State = TaskInstanceState.Queued },
            Waiting("waiting1", Training, slots: 4),
            Waiting("waiting2", Training, slots: 1),
            Waiting("done", Training, slots: 5) with { State = TaskInstanceState.Success },
            Waiting("later", Training, slots: 6) with { State = TaskInstanceState.None },
            Waiting("no-pool", null, slots: 7) with { State = TaskInstanceState.Queued },
            Waiting("other", "other", slots: 8) with { State = TaskInstanceState.Queued });
        await StartAsync("r1", "running", 1);

        var usage = await Store.Pools.GetAsync(Training, default);
        Assert.Equal((2, 3, 5, 5), (usage!.Running, usage.Queued, usage.Waiting, usage.Open));
        Assert.Equal([("idle", 0, 0, 0), (Training, 2, 3, 5)], (await Store.Pools.ListAsync(default)).Select(p => (p.Name, p.Running, p.Queued, p.Waiting)));
    }

    [Fact]
    public async Task Delete_IsRefusedWhileAnInstanceWaitsIsQueuedOrRuns()
    {
        await Store.Pools.SetAsync(Training, 1, null, T0, default);
        await CreateRunAsync("r1", Waiting("a", Training), Waiting("b", Training) with { State = TaskInstanceState.None });

        Assert.Equal(PoolDeleteOutcome.NotFound, await Store.Pools.DeleteAsync("nope", default));
        Assert.Equal(PoolDeleteOutcome.InUse, await Store.Pools.DeleteAsync(Training, default)); // a waits
        Assert.Single(await Store.Pools.AdmitAsync(Training, T0.AddSeconds(1), default));
        Assert.Equal(PoolDeleteOutcome.InUse, await Store.Pools.DeleteAsync(Training, default)); // a queued
        await StartAsync("r1", "a", 1);
        Assert.Equal(PoolDeleteOutcome.InUse, await Store.Pools.DeleteAsync(Training, default)); // a runs
        Assert.NotNull(await Store.Pools.GetAsync(Training, default));

        await FinishAsync("r1", "a", 1, TaskInstanceState.Success);
        Assert.Equal(PoolDeleteOutcome.Deleted, await Store.Pools.DeleteAsync(Training, default)); // b is not scheduled yet
        Assert.Null(await Store.Pools.GetAsync(Training, default));
        Assert.Equal(PoolDeleteOutcome.NotFound, await Store.Pools.DeleteAsync(Training, default));
    }

    [Fact]
    public async Task Admission_GoesByPriority_ThenWaitingTime_ThenRunAndTask()
    {
        await Store.Pools.SetAsync(Training, 2, null, T0, default);
        await CreateRunAsync("r1",
            Waiting("early-low", Training, weight: 1, since: T0),
            Waiting("late-high", Training, weight: 5, since: T0.AddSeconds(3)),
            Waiting("early-high", Training, weight: 5, since: T0.AddSeconds(1)) with { TryNumber = 2, Queue = "gpu" },
            Waiting("a-latest-high", Training, weight: 5, since: T0.AddSeconds(5)),
            Waiting("z", Training, weight: 1, since: T0));
        await CreateRunAsync("r0", Waiting("zz", Training, weight: 1, since: T0));
        var at = T0.AddMinutes(1);

        var first = await Store.Pools.AdmitAsync(Training, at, default);

        Assert.Equal(
            [new PoolAdmission(new RunId("r1"), new TaskId("early-high"), 3, "gpu", Training, 1), new PoolAdmission(new RunId("r1"), new TaskId("late-high"), 1, "default", Training, 1)],
            first);
        var change = (await Store.TaskInstances.HistoryAsync(new RunId("r1"), new TaskId("early-high"), default))[^1];
        Assert.Equal((TaskInstanceState.Scheduled, TaskInstanceState.Queued, "admitted to pool training (1 of 2 slots)", at), (change.From, change.To, change.Reason, change.At));
        Assert.Empty(await Store.Pools.AdmitAsync(Training, at, default)); // queued slots are taken

        await DrainAsync(first);
        var second = await Store.Pools.AdmitAsync(Training, at, default);
        Assert.Equal([("r1", "a-latest-high"), ("r0", "zz")], second.Select(a => (a.RunId.Value, a.TaskId.Value))); // equal weight and time: by run
        await DrainAsync(second);
        Assert.Equal([("r1", "early-low"), ("r1", "z")], await AdmitKeysAsync()); // then by task
    }

    [Fact]
    public async Task ATaskTooBigForTheOpenSlots_IsPassedOver_AndTheNextConsidered()
    {
        await Store.Pools.SetAsync(Training, 3, null, T0, default);
        await CreateRunAsync("r1",
            Waiting("busy", Training) with { State = TaskInstanceState.Queued },
            Waiting("big", Training, slots: 3, weight: 10),
            Waiting("small", Training, slots: 1, weight: 5),
            Waiting("smaller", Training, slots: 1, weight: 1));
        await StartAsync("r1", "busy", 1);

        Assert.Equal([("r1", "small"), ("r1", "smaller")], await AdmitKeysAsync());
        Assert.Equal(0, (await Store.Pools.GetAsync(Training, default))!.Open);

        foreach (var task in new[] { "busy", "small", "smaller" })
        {
            if (task != "busy")
            {
                await StartAsync("r1", task, 1);
            }

            await FinishAsync("r1", task, 1, TaskInstanceState.Success);
            if (task != "smaller")
            {
                Assert.Empty(await AdmitKeysAsync()); // big needs all three
            }
        }

        Assert.Equal([("r1", "big")], await AdmitKeysAsync());
    }

    [Fact]
    public async Task Slots_FreeThemselves_WhenAnInstanceSucceedsFailsOrIsUpForRetry()
    {
        await Store.Pools.SetAsync(Training, 1, null, T0, default);
        await CreateRunAsync("r1",
            Waiting("a", Training, since: T0),
            Waiting("b", Training, since: T0.AddSeconds(1)),
            Waiting("c", Training, since: T0.AddSeconds(2)),
            Waiting("d", Training, since: T0.AddSeconds(3)));

        Assert.Equal([("r1", "a")], await AdmitKeysAsync());
        await StartAsync("r1", "a", 1);
        Assert.Empty(await AdmitKeysAsync());
        await FinishAsync("r1", "a", 1, TaskInstanceState.Success);

        Assert.Equal([("r1", "b")], await AdmitKeysAsync());
        await StartAsync("r1", "b", 1);
        await FinishAsync("r1", "b", 1, TaskInstanceState.Failed);

        Assert.Equal([("r1", "c")], await AdmitKeysAsync());
        await StartAsync("r1", "c", 1);
        Assert.Empty(await AdmitKeysAsync());
        await FinishAsync("r1", "c", 1, TaskInstanceState.UpForRetry);

        Assert.Equal([("r1", "d")], await AdmitKeysAsync());
        await StartAsync("r1", "d", 1);
        await FinishAsync("r1", "d", 1, TaskInstanceState.Success);

        // c's retry waits again and is admitted for its second try.
        Assert.True(await Store.TaskInstances.TryTransitionAsync(new TaskTransition(new RunId("r1"), new TaskId("c"), TaskInstanceState.UpForRetry, TaskInstanceState.Scheduled, "retry", T0.AddMinutes(9)), default));
        var retry = Assert.Single(await Store.Pools.AdmitAsync(Training, T0.AddMinutes(10), default));
        Assert.Equal(("c", 2), (retry.TaskId.Value, retry.TryNumber));
    }

    [Fact]
    public async Task AShrunkPool_AdmitsNothing_UntilItDrainsBelowItsSlots()
    {
        await Store.Pools.SetAsync(Training, 3, null, T0, default);
        await CreateRunAsync("r1", [.. Enumerable.Range(0, 5).Select(i => Waiting($"t{i}", Training, since: T0.AddSeconds(i)))]);
        Assert.Equal(3, (await AdmitKeysAsync()).Count);

        await Store.Pools.SetAsync(Training, 1, null, T0.AddMinutes(1), default);
        Assert.Equal(-2, (await Store.Pools.GetAsync(Training, default))!.Open);
        Assert.Empty(await AdmitKeysAsync());
        await StartAsync("r1", "t0", 1);
        await FinishAsync("r1", "t0", 1, TaskInstanceState.Success);
        await StartAsync("r1", "t1", 1);
        await FinishAsync("r1", "t1", 1, TaskInstanceState.Success);
        Assert.Empty(await AdmitKeysAsync()); // t2 still holds the one slot

        await StartAsync("r1", "t2", 1);
        await FinishAsync("r1", "t2", 1, TaskInstanceState.Success);
        Assert.Equal([("r1", "t3")], await AdmitKeysAsync());

        await Store.Pools.SetAsync(Training, 0, null, T0.AddMinutes(2), default);
        await StartAsync("r1", "t3", 1);
        await FinishAsync("r1", "t3", 1, TaskInstanceState.Success);
        Assert.Empty(await AdmitKeysAsync()); // zero slots admit nothing
    }

    [Fact]
    public async Task AnUnknownPool_AdmitsNothing_AndIsListedAsWaitedFor()
    {
        await Store.Pools.SetAsync("idle", 5, null, T0, default);
        await CreateRunAsync("r1",
            Waiting("a", "ghost"), Waiting("b", "ghost"), Waiting("c", Training),
            Waiting("queued", "elsewhere") with { State = TaskInstanceState.Queued }, Waiting("free", null));

        Assert.Equal(["ghost", Training], await Store.Pools.WaitedForAsync(default));
        Assert.Empty(await Store.Pools.AdmitAsync("ghost", T0, default));
        Assert.Equal(TaskInstanceState.Scheduled, (await Store.TaskInstances.GetAsync(new RunId("r1"), new TaskId("a"), default))!.State);

        await Store.Pools.SetAsync("ghost", 1, null, T0, default);
        Assert.Equal([("r1", "a")], await AdmitKeysAsync("ghost"));
        Assert.Empty(await Store.Pools.AdmitAsync("idle", T0, default));
    }

    [Fact]
    public async Task AnInstanceThatLeftScheduled_IsNeitherAdmittedNorCounted()
    {
        await Store.Pools.SetAsync(Training, 1, null, T0, default);
        await CreateRunAsync("r1", Waiting("first", Training, weight: 10), Waiting("second", Training, weight: 1));
        Assert.True(await Store.TaskInstances.TryTransitionAsync(
            new TaskTransition(new RunId("r1"), new TaskId("first"), TaskInstanceState.Scheduled, TaskInstanceState.Removed, "removed from the DAG", T0), default));

        Assert.Equal([("r1", "second")], await AdmitKeysAsync());
        Assert.Equal(TaskInstanceState.Removed, (await Store.TaskInstances.GetAsync(new RunId("r1"), new TaskId("first"), default))!.State);
    }

    protected static TaskInstanceRecord Waiting(string task, string? pool, int slots = 1, int weight = 1, DateTimeOffset? since = null) =>
        new(new RunId("r1"), new TaskId(task), TaskInstanceState.Scheduled, 0, 3, "default", since ?? T0, "waiting", Pool: pool, PoolSlots: slots, PriorityWeight: weight);

    protected Task CreateRunAsync(string runId, params TaskInstanceRecord[] tasks) => CreateRunAsync(Store, runId, tasks);

    protected static async Task CreateRunAsync(IMetadataStore store, string runId, params TaskInstanceRecord[] tasks)
    {
        var run = new RunId(runId);
        Assert.True(await store.Runs.CreateAsync(
            new DagRunRecord(run, new DagId($"etl-{runId}"), "v1", T0, RunType.Manual, DagRunState.Running, "{}", T0),
            [.. tasks.Select(t => t with { RunId = run })], default));
    }

    protected async Task<List<(string, string)>> AdmitKeysAsync(string pool = Training) =>
        [.. (await Store.Pools.AdmitAsync(pool, T0.AddMinutes(1), default)).Select(a => (a.RunId.Value, a.TaskId.Value))];

    protected Task StartAsync(string run, string task, int tryNumber) => StartAsync(Store, run, task, tryNumber);

    protected static async Task StartAsync(IMetadataStore store, string run, string task, int tryNumber) =>
        Assert.True(await store.TaskInstances.TryStartTryAsync(new TryStart(new RunId(run), new TaskId(task), tryNumber, "w1", T0.AddMinutes(2)), default));

    protected Task FinishAsync(string run, string task, int tryNumber, TaskInstanceState next) => FinishAsync(Store, run, task, tryNumber, next);

    protected static async Task FinishAsync(IMetadataStore store, string run, string task, int tryNumber, TaskInstanceState next) =>
        Assert.True(await store.TaskInstances.TryFinishTryAsync(
            new TryFinish(new RunId(run), new TaskId(task), tryNumber, next.ToName(), null, T0.AddMinutes(3), next, "ended", next == TaskInstanceState.UpForRetry ? T0.AddMinutes(4) : null), default));

    /// <summary>Runs and ends every admitted instance, freeing its slots.</summary>
    protected async Task DrainAsync(IEnumerable<PoolAdmission> admitted)
    {
        foreach (var admission in admitted)
        {
            await StartAsync(admission.RunId.Value, admission.TaskId.Value, admission.TryNumber);
            await FinishAsync(admission.RunId.Value, admission.TaskId.Value, admission.TryNumber, TaskInstanceState.Success);
        }
    }
}

public sealed class SqlitePoolStoreContractTests : PoolStoreContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-pool-store-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
