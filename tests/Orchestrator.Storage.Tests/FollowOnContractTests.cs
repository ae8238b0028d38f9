using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>A worker's report that starts a ready downstream task in the same transaction, on every backend: only an
/// undecided task whose other upstream tasks all succeeded, in a running run that is not a test; only after a success
/// that the store accepts; once, however many reports race for it; and its output view includes reported outputs.</summary>
public abstract class FollowOnContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 2, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly RunId Run = new("r1");

    [Fact]
    public async Task Migration16_IsApplied()
    {
        Assert.Contains(16, await Store.AppliedMigrationsAsync(default));
    }

    [Fact]
    public async Task ASuccess_StartsTheFirstReadyCandidate_OnTheSameWorker_AndTheReportNamesIt()
    {
        await CreateAsync(DagRunState.Running, RunType.Manual, ("a", TaskInstanceState.Running), ("b", TaskInstanceState.Success),
            ("waits", TaskInstanceState.None), ("ready", TaskInstanceState.None), ("later", TaskInstanceState.None));
        await StartAsync("a", "w1");

        // "waits" also needs "later", which has not run: passed over.
        var result = await Store.TryReports.ReportAsync(Report("a", "w1", "success", "{\"rows\":3}"),
            Follow(("waits", ["b", "later"]), ("ready", ["b"]), ("later", [])), default);

        Assert.True(result.Accepted);
        Assert.Equal(("ready", 1, 3), (result.Followed!.TaskId.Value, result.Followed.TryNumber, result.Followed.MaxTries));
        var tasks = (await Store.TaskInstances.ListAsync(Run, default)).ToDictionary(t => t.TaskId.Value);
        Assert.Equal((TaskInstanceState.Running, 1, "try 1 started on w1 right after a"), (tasks["ready"].State, tasks["ready"].TryNumber, tasks["ready"].StateReason));
        Assert.Equal(TaskInstanceState.None, tasks["waits"].State);
        Assert.Equal(TaskInstanceState.None, tasks["later"].State); // one follow per report
        var attempt = Assert.Single(await Store.TaskInstances.ListTriesAsync(Run, new TaskId("ready"), default));
        Assert.Equal(("w1", (DateTimeOffset?)T0.AddSeconds(40)), (attempt.WorkerId, attempt.LeaseUntil));
        var report = Assert.Single(await Store.TryReports.ListAsync([Run], 10, default));
        Assert.Equal(("ready", (int?)1), (report.FollowedTask?.Value, report.FollowedTry));
        Assert.Contains(await Store.TaskInstances.HistoryAsync(Run, new TaskId("ready"), default), c => c is { From: TaskInstanceState.None, To: TaskInstanceState.Running });

        // The downstream try sees the output only reported so far.
        Assert.Equal("{\"rows\":3}", (await Store.TryReports.OutputsAsync(Run, default))[new TaskId("a")]);
    }

    [Theory]
    [InlineData("failed")]
    [InlineData("skipped")]
    public async Task NoSuccess_StartsNothing(string outcome)
    {
        await CreateAsync(DagRunState.Running, RunType.Manual, ("a", TaskInstanceState.Running), ("next", TaskInstanceState.None));
        await StartAsync("a", "w1");

        var result = await Store.TryReports.ReportAsync(Report("a", "w1", outcome), Follow(("next", [])), default);

        Assert.True(result.Accepted);
        Assert.Null(result.Followed);
        Assert.Equal(TaskInstanceState.None, (await Store.TaskInstances.GetAsync(Run, new TaskId("next"), default))!.State);
    }

    [Fact]
    public async Task ARefusedReport_StartsNothing()
    {
        await CreateAsync(DagRunState.Running, RunType.Manual, ("a", TaskInstanceState.Running), ("next", TaskInstanceState.None));
        await StartAsync("a", "w1");

        // Another worker's report of this try (the try is not its own) is refused, and so is its follow.
        var result = await Store.TryReports.ReportAsync(Report("a", "w2", "success"), Follow(("next", [])), default);

        Assert.False(result.Accepted);
        Assert.Equal(TaskInstanceState.None, (await Store.TaskInstances.GetAsync(Run, new TaskId("next"), default))!.State);
        Assert.Empty(await Store.TaskInstances.ListTriesAsync(Run, new TaskId("next"), default));
    }

    [Fact]
    public async Task ReportsArrivingTogether_EachKeepOrUndoTheirOwnFollowOn()
    {
        // Writes arriving together share a transaction: a refused report's follow-on start must be undone, the
        // accepted ones' kept, whatever else the transaction held.
        const int Pairs = 30;
        var tasks = Enumerable.Range(0, Pairs).SelectMany(i => new[] { ($"a{i:D2}", TaskInstanceState.Running), ($"next{i:D2}", TaskInstanceState.None) });
        await CreateAsync(DagRunState.Running, RunType.Manual, [.. tasks]);
        foreach (var i in Enumerable.Range(0, Pairs))
        {
            await StartAsync($"a{i:D2}", "w1");
        }

        // Even ones come from the try's own worker; odd ones from another worker, which the store refuses.
        var results = await Task.WhenAll(Enumerable.Range(0, Pairs).Select(i => Task.Run(() =>
            Store.TryReports.ReportAsync(Report($"a{i:D2}", i % 2 == 0 ? "w1" : "w2", "success"), Follow(($"next{i:D2}", [])), default))));

        Assert.Equal(Enumerable.Range(0, Pairs).Select(i => i % 2 == 0), results.Select(r => r.Accepted));
        var states = (await Store.TaskInstances.ListAsync(Run, default)).ToDictionary(t => t.TaskId.Value, t => t.State);
        Assert.All(Enumerable.Range(0, Pairs), i => Assert.Equal(i % 2 == 0 ? TaskInstanceState.Running : TaskInstanceState.None, states[$"next{i:D2}"]));
        Assert.Equal(Pairs / 2, (await Store.TryReports.ListAsync([Run], 100, default)).Count);
        Assert.Equal(Pairs / 2, (await Store.TaskInstances.ListTriesAsync(Run, null, default)).Count(t => t.TaskId.Value.StartsWith("next", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(DagRunState.Failed, RunType.Manual)]
    [InlineData(DagRunState.Running, RunType.Test)]
    public async Task ARunNotRunning_OrATestRun_StartsNothing(DagRunState state, RunType type)
    {
        await CreateAsync(state, type, ("a", TaskInstanceState.Running), ("next", TaskInstanceState.None));
        await StartAsync("a", "w1");

        var result = await Store.TryReports.ReportAsync(Report("a", "w1", "success"), Follow(("next", [])), default);

        Assert.Null(result.Followed);
        Assert.Equal(TaskInstanceState.None, (await Store.TaskInstances.GetAsync(Run, new TaskId("next"), default))!.State);
    }

    [Fact]
    public async Task ATaskAlreadyDecided_IsNotStartedAgain()
    {
        await CreateAsync(DagRunState.Running, RunType.Manual, ("a", TaskInstanceState.Running), ("queued", TaskInstanceState.Queued), ("skipped", TaskInstanceState.Skipped));
        await StartAsync("a", "w1");

        var result = await Store.TryReports.ReportAsync(Report("a", "w1", "success"), Follow(("queued", []), ("skipped", [])), default);

        Assert.Null(result.Followed);
        Assert.Empty(await Store.TaskInstances.ListTriesAsync(Run, new TaskId("queued"), default));
    }

    [Fact]
    public async Task AQueuedTaskOfHigherPriority_GoesFirst()
    {
        Assert.True(await Store.Runs.CreateAsync(new DagRunRecord(Run, new DagId("follow"), "v1", T0, RunType.Manual, DagRunState.Running, "{}", T0),
        [
            new TaskInstanceRecord(Run, new TaskId("a"), TaskInstanceState.Queued, 0, 3, "default", T0),
            new TaskInstanceRecord(Run, new TaskId("b"), TaskInstanceState.Queued, 0, 3, "default", T0),
            new TaskInstanceRecord(Run, new TaskId("next"), TaskInstanceState.None, 0, 3, "default", T0, PriorityWeight: 5),
            new TaskInstanceRecord(Run, new TaskId("urgent"), TaskInstanceState.Queued, 0, 3, "default", T0.AddSeconds(1), PriorityWeight: 9),
            new TaskInstanceRecord(Run, new TaskId("elsewhere"), TaskInstanceState.Queued, 0, 3, "training", T0, PriorityWeight: 50),
        ], default));
        await StartAsync("a", "w1");
        await StartAsync("b", "w1");

        Assert.Null((await Store.TryReports.ReportAsync(Report("a", "w1", "success"), Follow(("next", [])), default)).Followed);

        // Once the urgent one is claimed, nothing of a higher weight waits in the worker's queues (another queue's does not count).
        Assert.Equal("urgent", Assert.Single(await Store.TaskInstances.ClaimQueuedAsync(new QueuedClaim(["default"], 1, "w2", T0, T0.AddSeconds(30)), default)).TaskId.Value);
        Assert.Equal("next", (await Store.TryReports.ReportAsync(Report("b", "w1", "success"), Follow(("next", [])), default)).Followed?.TaskId.Value);
    }

    [Fact]
    public async Task ManyReportsRacingForOneJoin_StartItOnce()
    {
        // A join whose upstream tasks all succeeded but one each: every report offers it; at most one starts it.
        var upstreams = Enumerable.Range(0, 8).Select(i => $"u{i}").ToList();
        await CreateAsync(DagRunState.Running, RunType.Manual, [.. upstreams.Select(u => (u, TaskInstanceState.Running)), ("join", TaskInstanceState.None)]);
        foreach (var u in upstreams)
        {
            await StartAsync(u, "w-" + u);
        }

        // Each other upstream counts as done for this race: the candidate lists no others.
        var results = await Task.WhenAll(upstreams.Select(u => Task.Run(() => Store.TryReports.ReportAsync(Report(u, "w-" + u, "success"), Follow(("join", [])), default))));

        Assert.All(results, r => Assert.True(r.Accepted));
        Assert.Single(results, r => r.Followed is not null);
        Assert.Single(await Store.TaskInstances.ListTriesAsync(Run, new TaskId("join"), default));
    }

    private static TryReport Report(string task, string worker, string outcome, string? output = null) =>
        new(Run, new TaskId(task), 1, worker, outcome, outcome == "success" ? null : "boom", false, T0, T0.AddSeconds(9), output, T0.AddSeconds(10));

    private static FollowOn Follow(params (string Task, string[] Others)[] candidates) =>
        new([.. candidates.Select(c => new FollowCandidate(new TaskId(c.Task), [.. c.Others.Select(o => new TaskId(o))]))], ["default"], T0.AddSeconds(40));

    private async Task StartAsync(string task, string worker)
    {
        // "Running" tasks are created queued (see CreateAsync) and started here like a worker starts them.
        Assert.True(await Store.TaskInstances.TryStartTryAsync(new TryStart(Run, new TaskId(task), 1, worker, T0, T0.AddSeconds(30)), default));
    }

    private async Task CreateAsync(DagRunState state, RunType type, params (string Task, TaskInstanceState State)[] tasks) =>
        Assert.True(await Store.Runs.CreateAsync(
            new DagRunRecord(Run, new DagId("follow"), "v1", T0, type, state, "{}", T0),
            [.. tasks.Select(t => new TaskInstanceRecord(Run, new TaskId(t.Task), t.State == TaskInstanceState.Running ? TaskInstanceState.Queued : t.State, 0, 3, "default", T0))],
            default));
}

public sealed class SqliteFollowOnContractTests : FollowOnContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-follow-on-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresFollowOnContractTests : FollowOnContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
