using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>What lets several processes share one store safely, on every backend: leases that one owner holds at a
/// time and that fence the previous owner out; workers whose heartbeats extend their tries' leases; tries whose lease
/// ran out found; workers' reports accepted only for their own open tries and recorded once.</summary>
public abstract class ClusterStoreContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 3, 0, 0, TimeSpan.Zero);
    private static readonly RunId Run = new("r1");
    private static readonly TaskId A = new("a");
    private static readonly TaskId B = new("b");

    [Fact]
    public async Task Migration12_IsApplied()
    {
        Assert.Contains(12, await Store.AppliedMigrationsAsync(default));
    }

    [Fact]
    public async Task Lease_IsHeldByOneOwner_UntilItExpires_ThenPassesWithANewToken()
    {
        var first = await Store.Leases.TryAcquireAsync("run/r1", "s1", T0, T0.AddSeconds(30), default);
        Assert.Equal(("s1", 1L), (first!.Owner, first.Token));

        Assert.Null(await Store.Leases.TryAcquireAsync("run/r1", "s2", T0.AddSeconds(29), T0.AddSeconds(59), default));
        var extended = await Store.Leases.TryAcquireAsync("run/r1", "s1", T0.AddSeconds(10), T0.AddSeconds(40), default);
        Assert.Equal((1L, T0, T0.AddSeconds(40)), (extended!.Token, extended.AcquiredAt, extended.ExpiresAt)); // own: same token

        var taken = await Store.Leases.TryAcquireAsync("run/r1", "s2", T0.AddSeconds(40), T0.AddSeconds(70), default);
        Assert.Equal(("s2", 2L, T0.AddSeconds(40)), (taken!.Owner, taken.Token, taken.AcquiredAt));
        Assert.Equal(taken, await Store.Leases.GetAsync("run/r1", default));
    }

    [Fact]
    public async Task Renew_And_Release_AreFencedByOwnerAndToken()
    {
        var old = (await Store.Leases.TryAcquireAsync("run/r1", "s1", T0, T0.AddSeconds(30), default))!;
        var other = (await Store.Leases.TryAcquireAsync("run/r2", "s1", T0, T0.AddSeconds(30), default))!;
        var taken = (await Store.Leases.TryAcquireAsync("run/r1", "s2", T0.AddSeconds(31), T0.AddSeconds(60), default))!;

        // s1 slept past its lease on r1: renewing gets back only r2; its late release of r1 does nothing.
        Assert.Equal(["run/r2"], await Store.Leases.RenewAsync([old, other], T0.AddSeconds(90), default));
        Assert.False(await Store.Leases.ReleaseAsync(old, default));
        Assert.Equal(("s2", T0.AddSeconds(60)), ((await Store.Leases.GetAsync("run/r1", default))!.Owner, (await Store.Leases.GetAsync("run/r1", default))!.ExpiresAt));
        Assert.Equal(T0.AddSeconds(90), (await Store.Leases.GetAsync("run/r2", default))!.ExpiresAt);

        // An expired lease nobody took is still its owner's to renew: nobody acted on it.
        Assert.Equal(["run/r2"], await Store.Leases.RenewAsync([other], T0.AddSeconds(200), default));
        Assert.True(await Store.Leases.ReleaseAsync(taken, default));
        Assert.Null(await Store.Leases.GetAsync("run/r1", default));
        var again = await Store.Leases.TryAcquireAsync("run/r1", "s3", T0.AddSeconds(61), T0.AddSeconds(90), default);
        Assert.Equal(1L, again!.Token); // released: a fresh lease
    }

    [Fact]
    public async Task TakeOver_OfADeadOwnersLease_GetsANewToken_OnlyIfUnchanged()
    {
        var dead = (await Store.Leases.TryAcquireAsync("engine/embedded", "host:1:a", T0, T0.AddSeconds(30), default))!;

        var taken = await Store.Leases.TakeOverAsync(dead, "host:2:b", T0.AddSeconds(1), T0.AddSeconds(31), default);
        Assert.Equal(("host:2:b", 2L, T0.AddSeconds(1)), (taken!.Owner, taken.Token, taken.AcquiredAt));
        Assert.Null(await Store.Leases.TakeOverAsync(dead, "host:3:c", T0.AddSeconds(2), T0.AddSeconds(32), default)); // it changed
        Assert.Equal("host:2:b", (await Store.Leases.GetAsync("engine/embedded", default))!.Owner);
    }

    [Fact]
    public async Task Acquire_RacedByManyOwners_IsWonByExactlyOne()
    {
        var grants = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Store.Leases.TryAcquireAsync("scheduler/events", $"s{i}", T0, T0.AddSeconds(30), default)));

        var winner = Assert.Single(grants, g => g is not null);
        Assert.Equal(winner!.Owner, (await Store.Leases.GetAsync("scheduler/events", default))!.Owner);
    }

    [Fact]
    public async Task List_ByPrefix_TakesPrefixLiterally()
    {
        foreach (var name in new[] { "run/a_1", "run/ab1", "runs/x", "scheduler/events", "run/%" })
        {
            await Store.Leases.TryAcquireAsync(name, "s1", T0, T0.AddSeconds(30), default);
        }

        Assert.Equal(["run/%", "run/a_1", "run/ab1"], (await Store.Leases.ListAsync("run/", default)).Select(l => l.Name));
        Assert.Equal(["run/a_1"], (await Store.Leases.ListAsync("run/a_", default)).Select(l => l.Name));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.Leases.TryAcquireAsync("x", "s1", T0, T0, default));
    }

    [Fact]
    public async Task Heartbeat_ExtendsTheWorkersOpenLeasedTries_Only()
    {
        await CreateRunAsync();
        await Store.Workers.RegisterAsync(Worker("w1"), default);
        await Store.Workers.RegisterAsync(Worker("w2"), default);
        await StartAsync(A, 1, "w1", T0.AddSeconds(30));
        await StartAsync(B, 1, "w2", T0.AddSeconds(30));

        Assert.Equal(1, await Store.Workers.HeartbeatAsync("w1", T0.AddSeconds(20), T0.AddSeconds(50), default));

        var expired = await Store.Workers.ExpiredTriesAsync(T0.AddSeconds(40), 10, default);
        Assert.Equal([(B, 1, "w2", T0.AddSeconds(30))], expired.Select(e => (e.TaskId, e.TryNumber, e.WorkerId, e.LeaseUntil)));
        Assert.Empty(await Store.Workers.ExpiredTriesAsync(T0.AddSeconds(30), 10, default)); // not before its end
        Assert.Null(await Store.Workers.HeartbeatAsync("nobody", T0, T0.AddSeconds(50), default));

        // A try recorded lost is not extended by a late heartbeat, and is no longer expired.
        Assert.True(await Store.TaskInstances.TryFinishTryAsync(new TryFinish(Run, B, 1, "lost", "worker lost", T0.AddSeconds(40), TaskInstanceState.UpForRetry, "lost", T0.AddSeconds(40), 4), default));
        Assert.Equal(0, await Store.Workers.HeartbeatAsync("w2", T0.AddSeconds(41), T0.AddSeconds(71), default));
        Assert.Empty(await Store.Workers.ExpiredTriesAsync(T0.AddSeconds(45), 10, default));
    }

    [Fact]
    public async Task TryWithoutLease_NeverExpires_AndStoppedWorkerMustRegisterAgain()
    {
        await CreateRunAsync();
        await Store.Workers.RegisterAsync(Worker("w1"), default);
        await StartAsync(A, 1, "w1", leaseUntil: null);
        Assert.Empty(await Store.Workers.ExpiredTriesAsync(T0.AddDays(1), 10, default));
        Assert.Equal(0, await Store.Workers.HeartbeatAsync("w1", T0, T0.AddSeconds(30), default));

        await Store.Workers.StopAsync("w1", T0.AddSeconds(5), default);
        Assert.Null(await Store.Workers.HeartbeatAsync("w1", T0.AddSeconds(6), T0.AddSeconds(36), default));
        var stopped = Assert.Single(await Store.Workers.ListAsync(default));
        Assert.Equal((T0.AddSeconds(5), "default,training", 4), (stopped.StoppedAt, string.Join(',', stopped.Queues), stopped.Concurrency));

        await Store.Workers.RegisterAsync(Worker("w1") with { StartedAt = T0.AddSeconds(10), HeartbeatAt = T0.AddSeconds(10) }, default);
        var back = Assert.Single(await Store.Workers.ListAsync(default));
        Assert.Equal((null, T0.AddSeconds(10)), (back.StoppedAt, back.StartedAt));
    }

    [Fact]
    public async Task Report_IsAcceptedOnlyForTheWorkersOpenTry_Once()
    {
        await CreateRunAsync();
        await StartAsync(A, 1, "w1", T0.AddSeconds(30));

        Assert.False(await Store.TryReports.ReportAsync(Report(A, 1, "w2"), default)); // not its try
        Assert.False(await Store.TryReports.ReportAsync(Report(A, 2, "w1"), default)); // no such try
        Assert.False(await Store.TryReports.ReportAsync(Report(B, 1, "w1"), default)); // not started
        Assert.True(await Store.TryReports.ReportAsync(Report(A, 1, "w1"), default));
        Assert.False(await Store.TryReports.ReportAsync(Report(A, 1, "w1") with { Outcome = "failed" }, default)); // once
        Assert.Empty(await Store.Workers.ExpiredTriesAsync(T0.AddMinutes(5), 10, default)); // reported: not lost with its worker

        var stored = Assert.Single(await Store.TryReports.ListAsync(null, 10, default));
        Assert.Equal(Report(A, 1, "w1"), stored);
        Assert.Equal([stored], await Store.TryReports.ListAsync([Run], 10, default));
        Assert.Empty(await Store.TryReports.ListAsync([new RunId("other")], 10, default));
        Assert.Empty(await Store.TryReports.ListAsync([], 10, default));
    }

    [Fact]
    public async Task LateReport_OfATryRecordedLost_IsRefused_AndAStaleOneIsCleanedUp()
    {
        await CreateRunAsync();
        await StartAsync(A, 1, "w1", T0.AddSeconds(30));
        await StartAsync(B, 1, "w1", T0.AddSeconds(30));
        Assert.True(await Store.TryReports.ReportAsync(Report(B, 1, "w1"), default));
        foreach (var task in new[] { A, B })
        {
            Assert.True(await Store.TaskInstances.TryFinishTryAsync(new TryFinish(Run, task, 1, "lost", "worker lost", T0.AddSeconds(40), TaskInstanceState.UpForRetry, "lost", T0.AddSeconds(40), 4), default));
        }

        Assert.False(await Store.TryReports.ReportAsync(Report(A, 1, "w1"), default));
        Assert.Equal(1, await Store.TryReports.DeleteStaleAsync(default));
        Assert.Empty(await Store.TryReports.ListAsync(null, 10, default));
    }

    [Fact]
    public async Task Batch_RecordsTheReportedTry_AndConsumesItsReport_OrNeither()
    {
        await CreateRunAsync();
        await StartAsync(A, 1, "w1", T0.AddSeconds(30));
        await StartAsync(B, 1, "w1", T0.AddSeconds(30));
        await Store.TryReports.ReportAsync(Report(A, 1, "w1"), default);
        await Store.TryReports.ReportAsync(Report(B, 1, "w1"), default);
        var finishA = new TryFinish(Run, A, 1, "success", null, T0.AddSeconds(5), TaskInstanceState.Success, "try 1 succeeded");

        // The second finish does not hold (try 2 of b is not running): nothing is written, both reports stay.
        var refused = await Store.ApplyAsync(new StateChangeBatch(finishA)
        {
            MoreFinishedTries = [finishA with { TaskId = B, TryNumber = 2 }],
            ConsumedReports = [(Run, A, 1), (Run, B, 2)],
        }, default);
        Assert.False(refused.Applied);
        Assert.Equal(2, (await Store.TryReports.ListAsync(null, 10, default)).Count);

        var applied = await Store.ApplyAsync(new StateChangeBatch(finishA) { ConsumedReports = [(Run, A, 1)] }, default);
        Assert.True(applied.Applied);
        Assert.Equal([B], (await Store.TryReports.ListAsync(null, 10, default)).Select(r => r.TaskId));
        Assert.Equal(TaskInstanceState.Success, (await Store.TaskInstances.ListAsync(Run, default)).Single(t => t.TaskId == A).State);
    }

    [Fact]
    public async Task FencedBatch_IsRefused_OnceTheLeaseHasPassed()
    {
        await CreateRunAsync();
        var mine = (await Store.Leases.TryAcquireAsync("run/r1", "s1", T0, T0.AddSeconds(30), default))!;
        var ready = new TaskTransition(Run, A, TaskInstanceState.None, TaskInstanceState.Scheduled, "met", T0);
        Assert.True((await Store.ApplyAsync(new StateChangeBatch(Transitions: [ready]) { Fence = mine }, default)).Applied);

        await Store.Leases.TryAcquireAsync("run/r1", "s2", T0.AddSeconds(31), T0.AddSeconds(60), default);
        var late = new TaskTransition(Run, B, TaskInstanceState.None, TaskInstanceState.Scheduled, "met", T0);
        var refused = await Store.ApplyAsync(new StateChangeBatch(Transitions: [late]) { Fence = mine }, default);

        Assert.Equal((false, "lease 'run/r1' is no longer held by s1"), (refused.Applied, refused.FailedCondition));
        Assert.Equal(TaskInstanceState.None, (await Store.TaskInstances.ListAsync(Run, default)).Single(t => t.TaskId == B).State);
    }

    [Fact]
    public async Task TryLease_IsListedWithTheTry()
    {
        await CreateRunAsync();
        await StartAsync(A, 1, "w1", T0.AddSeconds(30));
        await StartAsync(B, 1, "w1", leaseUntil: null);

        var tries = await Store.TaskInstances.ListTriesAsync(Run, null, default);
        Assert.Equal([(A, (DateTimeOffset?)T0.AddSeconds(30)), (B, null)], tries.Select(t => (t.TaskId, t.LeaseUntil)));
        Assert.Equal((TaskInstanceState.Running, 1), ((await Store.TaskInstances.GetAsync(Run, A, default))!.State, (await Store.TaskInstances.GetAsync(Run, A, default))!.TryNumber));
        Assert.Null(await Store.TaskInstances.GetAsync(Run, new TaskId("nope"), default));
        Assert.Null(await Store.TaskInstances.GetAsync(new RunId("nope"), A, default));
    }

    [Fact]
    public async Task Signal_WakesTheChannelsSubscribers_Only()
    {
        using var wakes = new SemaphoreSlim(0);
        using var others = new SemaphoreSlim(0);
        using var subscription = Store.Signals.Subscribe("try_reports", () => wakes.Release());
        using var other = Store.Signals.Subscribe("something_else", () => others.Release());
        await DrainAsync(wakes); // a listener may signal once when it (re)connects

        await Store.Signals.NotifyAsync("try_reports", default);

        Assert.True(await wakes.WaitAsync(TimeSpan.FromSeconds(30)));
        await DrainAsync(others);
        await Store.Signals.NotifyAsync("try_reports", default);
        Assert.True(await wakes.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(await others.WaitAsync(TimeSpan.FromMilliseconds(200)));
    }

    /// <summary>Waits for a subscription to be listening (its first signal), then forgets what arrived.</summary>
    protected static async Task DrainAsync(SemaphoreSlim signals)
    {
        await signals.WaitAsync(TimeSpan.FromSeconds(2));
        while (await signals.WaitAsync(TimeSpan.FromMilliseconds(100)))
        {
        }
    }

    private static WorkerRecord Worker(string id) => new(id, "host-1", 4242, ["default", "training"], 4, T0, T0);

    private static TryReport Report(TaskId task, int tryNumber, string worker) =>
        new(Run, task, tryNumber, worker, "success", null, false, T0, T0.AddSeconds(5), """{"rows":3}""", T0.AddSeconds(5));

    private async Task CreateRunAsync() => Assert.True(await Store.Runs.CreateAsync(
        new DagRunRecord(Run, new DagId("etl"), "v1", T0, RunType.Manual, DagRunState.Running, "{}", T0),
        [new TaskInstanceRecord(Run, A, TaskInstanceState.None, 0, 3, "default", T0), new TaskInstanceRecord(Run, B, TaskInstanceState.None, 0, 3, "default", T0)],
        default));

    private async Task StartAsync(TaskId task, int tryNumber, string worker, DateTimeOffset? leaseUntil)
    {
        foreach (var (from, to) in new[] { (TaskInstanceState.None, TaskInstanceState.Scheduled), (TaskInstanceState.Scheduled, TaskInstanceState.Queued) })
        {
            await Store.TaskInstances.TryTransitionAsync(new TaskTransition(Run, task, from, to, "ready", T0), default);
        }

        Assert.True(await Store.TaskInstances.TryStartTryAsync(new TryStart(Run, task, tryNumber, worker, T0, leaseUntil), default));
    }
}

public sealed class SqliteClusterStoreContractTests : ClusterStoreContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-cluster-store-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresClusterStoreContractTests : ClusterStoreContractTests
{
    private readonly PostgresBackend _backend = new();

    [Fact]
    public async Task Listener_ReconnectsAfterItsConnectionDies_AndHearsSignalsAgain()
    {
        using var wakes = new SemaphoreSlim(0);
        using var subscription = Store.Signals.Subscribe("try_reports", () => wakes.Release());
        Assert.True(await wakes.WaitAsync(TimeSpan.FromSeconds(30))); // listening

        // As a database restart would: the listening connection is cut.
        await using (var admin = new Npgsql.NpgsqlConnection(PostgresBackend.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new Npgsql.NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = @listen", admin);
            kill.Parameters.AddWithValue("listen", $"LISTEN \"{_backend.Schema}_try_reports\"");
            Assert.Equal(1L, await kill.ExecuteScalarAsync());
        }

        Assert.True(await wakes.WaitAsync(TimeSpan.FromSeconds(30))); // reconnected: it signals once in case it missed one
        await DrainAsync(wakes);
        await Store.Signals.NotifyAsync("try_reports", default);
        Assert.True(await wakes.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
