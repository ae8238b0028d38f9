using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>A worker's batch claim of queued task instances (the distributed fast path), on every backend: only its
/// queues, only running runs that are not test runs, highest priority weight then oldest first, at most the limit,
/// each started like a per-try claim, and never the same instance to two claimers.</summary>
public abstract class QueuedClaimContractTests : MetadataStoreContract
{
    protected static readonly DateTimeOffset T0 = new(2026, 1, 1, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Migration14_IsApplied()
    {
        Assert.Contains(14, await Store.AppliedMigrationsAsync(default));
    }

    [Fact]
    public async Task Claim_TakesTheOldestQueuedOfItsQueues_UpToTheLimit_AndStartsTheirNextTry()
    {
        await CreateRunAsync("r1", DagRunState.Running,
            ("old", TaskInstanceState.Queued, 0, "default", T0),
            ("retry", TaskInstanceState.Queued, 2, "default", T0.AddSeconds(1)),
            ("newest", TaskInstanceState.Queued, 0, "default", T0.AddSeconds(5)),
            ("training", TaskInstanceState.Queued, 0, "training", T0),
            ("scheduled", TaskInstanceState.Scheduled, 0, "default", T0),
            ("running", TaskInstanceState.Running, 1, "default", T0));

        var claimed = await Store.TaskInstances.ClaimQueuedAsync(Claim(["default"], 2, "w1", T0.AddSeconds(10)), default);

        Assert.Equal([("old", 1, 3), ("retry", 3, 3)], claimed.Select(c => (c.TaskId.Value, c.TryNumber, c.MaxTries)));
        var instances = (await Store.TaskInstances.ListAsync(new RunId("r1"), default)).ToDictionary(i => i.TaskId.Value);
        Assert.Equal((TaskInstanceState.Running, 3, "try 3 started on w1", T0.AddSeconds(10)),
            (instances["retry"].State, instances["retry"].TryNumber, instances["retry"].StateReason, instances["retry"].StartedAt));
        Assert.Equal(TaskInstanceState.Queued, instances["newest"].State);
        Assert.Equal(TaskInstanceState.Queued, instances["training"].State);
        var attempt = Assert.Single(await Store.TaskInstances.ListTriesAsync(new RunId("r1"), new TaskId("old"), default));
        Assert.Equal((1, "w1", T0.AddSeconds(10), (DateTimeOffset?)T0.AddSeconds(40), (DateTimeOffset?)null),
            (attempt.TryNumber, attempt.WorkerId, attempt.StartedAt, attempt.LeaseUntil, attempt.EndedAt));
        Assert.Contains(await Store.TaskInstances.HistoryAsync(new RunId("r1"), new TaskId("old"), default),
            change => change is { From: TaskInstanceState.Queued, To: TaskInstanceState.Running });

        // The next claim goes on where this one stopped; a worker of both queues gets the rest.
        Assert.Equal(["newest", "training"], (await Store.TaskInstances.ClaimQueuedAsync(Claim(["training", "default"], 5, "w2", T0.AddSeconds(11)), default))
            .Select(c => c.TaskId.Value).Order());
        Assert.Empty(await Store.TaskInstances.ClaimQueuedAsync(Claim(["default", "training"], 5, "w3", T0.AddSeconds(12)), default));
    }

    [Fact]
    public async Task Claim_TakesTheHighestPriorityWeightFirst_ThenTheOldest()
    {
        var run = new RunId("ranked");
        Assert.True(await Store.Runs.CreateAsync(
            new DagRunRecord(run, new DagId("dag-ranked"), "v1", T0, RunType.Manual, DagRunState.Running, "{}", T0),
            [
                new TaskInstanceRecord(run, new TaskId("old-low"), TaskInstanceState.Queued, 0, 3, "default", T0, PriorityWeight: 1),
                new TaskInstanceRecord(run, new TaskId("new-high"), TaskInstanceState.Queued, 0, 3, "default", T0.AddSeconds(9), PriorityWeight: 50),
                new TaskInstanceRecord(run, new TaskId("mid"), TaskInstanceState.Queued, 0, 3, "default", T0.AddSeconds(5), PriorityWeight: 7),
                new TaskInstanceRecord(run, new TaskId("old-mid"), TaskInstanceState.Queued, 0, 3, "default", T0.AddSeconds(1), PriorityWeight: 7),
                new TaskInstanceRecord(run, new TaskId("negative"), TaskInstanceState.Queued, 0, 3, "default", T0.AddSeconds(-5), PriorityWeight: -3),
            ],
            default));

        var order = new List<string>();
        for (var claim = 0; claim < 5; claim++)
        {
            order.AddRange((await Store.TaskInstances.ClaimQueuedAsync(Claim(["default"], 1, "w1", T0.AddSeconds(20 + claim)), default)).Select(c => c.TaskId.Value));
        }

        Assert.Equal(["new-high", "old-mid", "mid", "old-low", "negative"], order);
    }

    [Fact]
    public async Task GiveBack_QueuesAnUnstartedClaimAgainAsBefore_AndLeavesWhatIsNotTheWorkersOpenTry()
    {
        await CreateRunAsync("r1", DagRunState.Running,
            ("first", TaskInstanceState.Queued, 0, "default", T0),
            ("retry", TaskInstanceState.Queued, 1, "default", T0.AddSeconds(1)),
            ("ended", TaskInstanceState.Queued, 0, "default", T0.AddSeconds(2)),
            ("later", TaskInstanceState.Queued, 0, "default", T0.AddSeconds(30)));
        var claimed = await Store.TaskInstances.ClaimQueuedAsync(Claim(["default"], 3, "w1", T0.AddSeconds(10)), default);
        Assert.Equal(["first", "retry", "ended"], claimed.Select(c => c.TaskId.Value));
        var run = new RunId("r1");
        var before = (await Store.TaskInstances.ListAsync(run, default)).ToDictionary(i => i.TaskId.Value);
        // "ended" ran and finished meanwhile: not the worker's open try any more.
        Assert.True(await Store.TaskInstances.TryFinishTryAsync(new TryFinish(run, new TaskId("ended"), 1, "success", null, T0.AddSeconds(11), TaskInstanceState.Success, "done"), default));

        var given = await Store.TaskInstances.GiveBackAsync("w2", claimed, T0.AddSeconds(12), default); // not w2's claims
        Assert.Empty(given);
        given = await Store.TaskInstances.GiveBackAsync("w1", claimed, T0.AddSeconds(12), default);

        Assert.Equal(["first", "retry"], given.Select(c => c.TaskId.Value));
        var after = (await Store.TaskInstances.ListAsync(run, default)).ToDictionary(i => i.TaskId.Value);
        Assert.Equal((TaskInstanceState.Queued, 0, (DateTimeOffset?)null, "given back by w1 before it started"),
            (after["first"].State, after["first"].TryNumber, after["first"].StartedAt, after["first"].StateReason));
        Assert.Equal((TaskInstanceState.Queued, 1, before["retry"].StartedAt), (after["retry"].State, after["retry"].TryNumber, after["retry"].StartedAt));
        Assert.Equal(T0.AddSeconds(10), after["first"].UpdatedAt); // as of its claim: ahead of what was queued later
        Assert.Equal(["ended"], (await Store.TaskInstances.ListTriesAsync(run, null, default)).Select(t => t.TaskId.Value));

        // Claimed again as usual, with the same try numbers, oldest first.
        var again = await Store.TaskInstances.ClaimQueuedAsync(Claim(["default"], 5, "w3", T0.AddSeconds(13)), default);
        Assert.Equal([("first", 1), ("retry", 2), ("later", 1)], again.Select(c => (c.TaskId.Value, c.TryNumber)));
        Assert.Empty(await Store.TaskInstances.GiveBackAsync("w1", given, T0.AddSeconds(14), default)); // w3's now
    }

    [Fact]
    public async Task GiveBack_KeepsATrysPlaceInLine_AsOfWhenItWasQueued()
    {
        await CreateRunAsync("r1", DagRunState.Running, ("first", TaskInstanceState.Scheduled, 0, "default", T0));
        var run = new RunId("r1");
        Assert.True(await Store.TaskInstances.TryTransitionAsync(
            new TaskTransition(run, new TaskId("first"), TaskInstanceState.Scheduled, TaskInstanceState.Queued, "ready", T0.AddSeconds(5)), default));
        var claimed = await Store.TaskInstances.ClaimQueuedAsync(Claim(["default"], 1, "w1", T0.AddSeconds(10)), default);
        await CreateRunAsync("r2", DagRunState.Running, ("meanwhile", TaskInstanceState.Queued, 0, "default", T0.AddSeconds(8)));

        Assert.Single(await Store.TaskInstances.GiveBackAsync("w1", claimed, T0.AddSeconds(12), default));

        Assert.Equal(T0.AddSeconds(5), (await Store.TaskInstances.GetAsync(run, new TaskId("first"), default))!.UpdatedAt);
        Assert.Equal("first", Assert.Single(await Store.TaskInstances.ClaimQueuedAsync(Claim(["default"], 1, "w2", T0.AddSeconds(13)), default)).TaskId.Value);
    }

    [Fact]
    public async Task Claim_LeavesQueuedTasksOfRunsThatAreNotRunning_AndOfTestRuns()
    {
        await CreateRunAsync("queued-run", DagRunState.Queued, ("a", TaskInstanceState.Queued, 0, "default", T0));
        await CreateRunAsync("failed-run", DagRunState.Failed, ("a", TaskInstanceState.Queued, 0, "default", T0));
        await CreateRunAsync("test-run", DagRunState.Running, RunType.Test, ("a", TaskInstanceState.Queued, 0, "default", T0));
        await CreateRunAsync("running-run", DagRunState.Running, ("a", TaskInstanceState.Queued, 0, "default", T0.AddSeconds(1)));

        var claimed = await Store.TaskInstances.ClaimQueuedAsync(Claim(["default"], 10, "w1", T0.AddSeconds(2)), default);

        Assert.Equal(["running-run"], claimed.Select(c => c.RunId.Value));
    }

    [Fact]
    public async Task ATryClaimedByOnePath_IsRefusedByTheOther()
    {
        await CreateRunAsync("r1", DagRunState.Running,
            ("a", TaskInstanceState.Queued, 0, "default", T0), ("b", TaskInstanceState.Queued, 0, "default", T0.AddSeconds(1)));

        // a: the per-try claim (a Hangfire job) first; b: the batch claim first.
        Assert.True(await Store.TaskInstances.TryStartTryAsync(new TryStart(new RunId("r1"), new TaskId("a"), 1, "w1", T0.AddSeconds(2), T0.AddSeconds(32)), default));
        var claimed = Assert.Single(await Store.TaskInstances.ClaimQueuedAsync(Claim(["default"], 10, "w2", T0.AddSeconds(3)), default));
        Assert.Equal(("b", 1), (claimed.TaskId.Value, claimed.TryNumber));
        Assert.False(await Store.TaskInstances.TryStartTryAsync(new TryStart(new RunId("r1"), new TaskId("b"), 1, "w1", T0.AddSeconds(4), T0.AddSeconds(34)), default));

        var tries = await Store.TaskInstances.ListTriesAsync(new RunId("r1"), null, default);
        Assert.Equal([("a", "w1"), ("b", "w2")], tries.Select(t => (t.TaskId.Value, t.WorkerId!)));
    }

    [Fact]
    public async Task ManyClaimersAtOnce_EachInstanceIsClaimedExactlyOnce()
    {
        var tasks = Enumerable.Range(0, 40).Select(i => ($"t{i:00}", TaskInstanceState.Queued, 0, "default", T0.AddMilliseconds(i))).ToArray();
        await CreateRunAsync("r1", DagRunState.Running, tasks);

        var claims = await Task.WhenAll(Enumerable.Range(0, 10).Select(w => Task.Run(async () =>
        {
            var mine = new List<ClaimedTry>();
            for (var round = 0; round < 10; round++)
            {
                mine.AddRange(await Store.TaskInstances.ClaimQueuedAsync(Claim(["default"], 3, $"w{w}", T0.AddSeconds(1)), default));
            }

            return mine;
        })));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(40, all.Count);
        Assert.Equal(40, all.Select(c => c.TaskId).Distinct().Count());
        Assert.All(await Store.TaskInstances.ListAsync(new RunId("r1"), default), i => Assert.Equal(TaskInstanceState.Running, i.State));
        Assert.Equal(40, (await Store.TaskInstances.ListTriesAsync(new RunId("r1"), null, default)).Count);
    }

    [Fact]
    public Task PerTryAndBatchClaimsOfTheSameInstancesAtOnce_NeitherFailsNorClaimsTwice() => ClaimBothWaysAtOnceAsync(Store);

    /// <summary>Per-try claims through <paramref name="perTryStore"/> (another process's store: its own transactions),
    /// batch claims through this one, on the same instances at once.</summary>
    protected async Task ClaimBothWaysAtOnceAsync(IMetadataStore perTryStore)
    {
        // Both kinds lock the instance row before the try row: taken in the other order they deadlocked (40P01).
        var tasks = Enumerable.Range(0, 30).Select(i => ($"t{i:00}", TaskInstanceState.Queued, 0, "default", T0.AddMilliseconds(i))).ToArray();
        await CreateRunAsync("r1", DagRunState.Running, tasks);

        var perTry = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var won = new List<string>();
            foreach (var (task, _, _, _, _) in w % 2 == 0 ? tasks : tasks.Reverse())
            {
                if (await perTryStore.TaskInstances.TryStartTryAsync(new TryStart(new RunId("r1"), new TaskId(task), 1, $"job{w}", T0.AddSeconds(1), T0.AddSeconds(31)), default))
                {
                    won.Add(task);
                }
            }

            return won;
        }));
        var batch = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var won = new List<string>();
            for (var round = 0; round < 10; round++)
            {
                won.AddRange((await Store.TaskInstances.ClaimQueuedAsync(Claim(["default"], 2, $"fast{w}", T0.AddSeconds(1)), default)).Select(c => c.TaskId.Value));
            }

            return won;
        }));

        var all = (await Task.WhenAll(perTry.Concat(batch))).SelectMany(w => w).ToList();
        Assert.Equal(30, all.Count);
        Assert.Equal(30, all.Distinct().Count());
        Assert.Equal(30, (await Store.TaskInstances.ListTriesAsync(new RunId("r1"), null, default)).Count);
    }

    [Fact]
    public async Task StillQueued_NamesOnlyTheDispatchedTriesNobodyClaimed()
    {
        await CreateRunAsync("r1", DagRunState.Running,
            ("waiting", TaskInstanceState.Queued, 0, "default", T0), ("claimed", TaskInstanceState.Queued, 0, "default", T0),
            ("retry", TaskInstanceState.Queued, 2, "default", T0), ("requeued", TaskInstanceState.Queued, 1, "default", T0),
            ("done", TaskInstanceState.Success, 1, "default", T0));
        await CreateRunAsync("r2", DagRunState.Running, ("waiting", TaskInstanceState.Queued, 0, "training", T0.AddSeconds(1)));
        Assert.True(await Store.TaskInstances.TryStartTryAsync(new TryStart(new RunId("r1"), new TaskId("claimed"), 1, "w1", T0.AddSeconds(2), T0.AddSeconds(32)), default));
        (RunId, TaskId, int) Try(string run, string task, int number) => (new RunId(run), new TaskId(task), number);

        var still = await Store.TaskInstances.StillQueuedAsync(
            [Try("r1", "waiting", 1), Try("r1", "claimed", 1), Try("r1", "retry", 3), Try("r1", "requeued", 1), Try("r1", "done", 1),
             Try("r1", "unknown", 1), Try("r2", "waiting", 1), Try("r3", "waiting", 1)], default);

        // "requeued" is queued for try 2 now: try 1's dispatch is stale.
        Assert.Equal([("r1", "retry", 3, 3), ("r1", "waiting", 1, 3), ("r2", "waiting", 1, 3)],
            still.Select(s => (s.RunId.Value, s.TaskId.Value, s.TryNumber, s.MaxTries)).Order());
        Assert.Empty(await Store.TaskInstances.StillQueuedAsync([], default));

        // A try named twice (a resumed run dispatched again while the first dispatch is watched), and a stale try
        // number beside the current one: each still-queued try is named once.
        var twice = await Store.TaskInstances.StillQueuedAsync(
            [Try("r1", "waiting", 1), Try("r1", "waiting", 1), Try("r1", "requeued", 1), Try("r1", "requeued", 2)], default);
        Assert.Equal([("waiting", 1), ("requeued", 2)], twice.Select(s => (s.TaskId.Value, s.TryNumber)).OrderByDescending(s => s.Item1));
    }

    [Fact]
    public async Task BadClaims_AreRefusedNamingTheField_AndChangeNothing()
    {
        await CreateRunAsync("r1", DagRunState.Running, ("a", TaskInstanceState.Queued, 0, "default", T0));

        var limit = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.TaskInstances.ClaimQueuedAsync(Claim(["default"], 0, "w1", T0), default));
        Assert.Equal("claim.Limit", limit.ParamName);
        var queues = await Assert.ThrowsAsync<ArgumentException>(() => Store.TaskInstances.ClaimQueuedAsync(Claim([], 1, "w1", T0), default));
        Assert.Equal("claim.Queues", queues.ParamName);
        var worker = await Assert.ThrowsAsync<ArgumentException>(() => Store.TaskInstances.ClaimQueuedAsync(Claim(["default"], 1, " ", T0), default));
        Assert.Equal("claim.WorkerId", worker.ParamName);

        Assert.Equal(TaskInstanceState.Queued, Assert.Single(await Store.TaskInstances.ListAsync(new RunId("r1"), default)).State);
    }

    protected static QueuedClaim Claim(IReadOnlyList<string> queues, int limit, string worker, DateTimeOffset at) =>
        new(queues, limit, worker, at, at.AddSeconds(30));

    protected Task CreateRunAsync(string runId, DagRunState state, params (string Task, TaskInstanceState State, int TryNumber, string Queue, DateTimeOffset UpdatedAt)[] tasks) =>
        CreateRunAsync(runId, state, RunType.Manual, tasks);

    protected async Task CreateRunAsync(string runId, DagRunState state, RunType type, params (string Task, TaskInstanceState State, int TryNumber, string Queue, DateTimeOffset UpdatedAt)[] tasks)
    {
        var run = new RunId(runId);
        Assert.True(await Store.Runs.CreateAsync(
            new DagRunRecord(run, new DagId("dag-" + runId), "v1", T0, type, state, "{}", T0),
            [.. tasks.Select(t => new TaskInstanceRecord(run, new TaskId(t.Task), t.State, t.TryNumber, 3, t.Queue, t.UpdatedAt))],
            default));
    }
}

public sealed class SqliteQueuedClaimContractTests : QueuedClaimContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-queued-claim-");

    [Fact]
    public async Task PerTryClaimsOfAnotherProcess_AndBatchClaims_AtOnce_NeverDeadlock()
    {
        await using var otherProcess = await _backend.OpenAsync();
        await ClaimBothWaysAtOnceAsync(otherProcess);
    }

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresQueuedClaimContractTests : QueuedClaimContractTests
{
    private readonly PostgresBackend _backend = new();

    [Fact]
    public async Task Claim_SkipsAnInstanceAnotherTransactionHolds_InsteadOfWaitingForIt()
    {
        await CreateRunAsync("r1", DagRunState.Running,
            ("a", TaskInstanceState.Queued, 0, "default", T0), ("b", TaskInstanceState.Queued, 0, "default", T0.AddSeconds(1)));

        // A per-try claim (or a scheduler's batch) holds a's row until its transaction ends.
        await using var other = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(PostgresBackend.ConnectionString) { SearchPath = _backend.Schema }.ConnectionString);
        await other.OpenAsync();
        await using var holding = await other.BeginTransactionAsync();
        await using (var lockA = new Npgsql.NpgsqlCommand("SELECT 1 FROM task_instances WHERE task_id = 'a' FOR UPDATE", other, holding))
        {
            await lockA.ExecuteNonQueryAsync();
        }

        var claimed = await Store.TaskInstances.ClaimQueuedAsync(Claim(["default"], 5, "w1", T0.AddSeconds(2)), default).WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard

        Assert.Equal(["b"], claimed.Select(c => c.TaskId.Value));
        await holding.RollbackAsync();
        Assert.Equal(["a"], (await Store.TaskInstances.ClaimQueuedAsync(Claim(["default"], 5, "w1", T0.AddSeconds(3)), default)).Select(c => c.TaskId.Value));
    }

    [Fact]
    public async Task PerTryClaimsOfAnotherProcess_AndBatchClaims_AtOnce_NeverDeadlock()
    {
        await using var otherProcess = await _backend.OpenAsync();
        await ClaimBothWaysAtOnceAsync(otherProcess);
    }

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
