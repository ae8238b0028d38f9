using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>What the alert outbox must do on every backend: idempotent recording, pending order, delivery marks,
/// filtered pages, and alerts written (or not) with the engine's batch.</summary>
public abstract class AlertStoreContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 3, 0, 0, TimeSpan.Zero);

    private IAlertStore Alerts => Store.Alerts;

    private static NewAlert Alert(string key, DateTimeOffset at, string? target = """{"url":"http://127.0.0.1:9/hook"}""", string kind = "taskFailed", string? dag = "etl") =>
        new(kind, "critical", $"message {key}", target, key, at) { DagId = dag, RunId = "r1", TaskId = "a", EventId = 7 };

    private static string Keys(IEnumerable<AlertRecord> alerts) => string.Join(",", alerts.Select(a => a.DedupeKey));

    [Fact]
    public async Task Migration9_IsApplied()
    {
        Assert.Contains(9, await Store.AppliedMigrationsAsync(default));
    }

    [Fact]
    public async Task Recording_IsIdempotentByDedupeKey_AndStateFollowsTheTarget()
    {
        var (first, created) = await Alerts.RecordAsync(Alert("k1", T0), default);
        var (again, createdAgain) = await Alerts.RecordAsync(Alert("k1", T0.AddMinutes(1)) with { Message = "other" }, default);
        var (recordOnly, _) = await Alerts.RecordAsync(Alert("k2", T0, target: null), default);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal(first, again);
        Assert.Equal(
            new AlertRecord(first.Id, "taskFailed", "critical", "message k1", """{"url":"http://127.0.0.1:9/hook"}""", "k1", T0, "etl", "r1", "a", 7,
                AlertState.Pending, 0, null, null),
            first);
        Assert.Equal(AlertState.Recorded, recordOnly.State);
        Assert.Equal(first, await Alerts.GetAsync(first.Id, default));
        Assert.Null(await Alerts.GetAsync(first.Id + 1000, default));
    }

    [Fact]
    public async Task Recording_RefusesAnAlertWithoutKindOrKey()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Alerts.RecordAsync(Alert("", T0), default));
        await Assert.ThrowsAsync<ArgumentException>(() => Alerts.RecordAsync(Alert("k", T0, kind: " "), default));
        Assert.Equal(0, (await Alerts.ListAsync(new AlertQuery(), default)).Total);
    }

    [Fact]
    public async Task Pending_AreListedOldestFirst_AndLeaveWhenMarked()
    {
        var late = (await Alerts.RecordAsync(Alert("late", T0.AddMinutes(2)), default)).Alert;
        var early = (await Alerts.RecordAsync(Alert("early", T0), default)).Alert;
        await Alerts.RecordAsync(Alert("none", T0.AddMinutes(1), target: null), default);
        await Alerts.RecordAsync(Alert("sent by its task", T0, kind: "notify"), default);

        Assert.Equal(["early", "late"], (await Alerts.ListPendingAsync(10, default)).Select(a => a.DedupeKey));
        Assert.Equal(["early"], (await Alerts.ListPendingAsync(1, default)).Select(a => a.DedupeKey));

        await Alerts.MarkAsync(early.Id, AlertState.Pending, 1, "503 Service Unavailable", T0.AddMinutes(3), default);
        await Alerts.MarkAsync(late.Id, AlertState.Failed, 4, "400 Bad Request", T0.AddMinutes(3), default);
        Assert.Equal([(early.Id, 1, "503 Service Unavailable")], (await Alerts.ListPendingAsync(10, default)).Select(a => (a.Id, a.Attempts, a.LastError)));

        await Alerts.MarkAsync(early.Id, AlertState.Sent, 2, null, T0.AddMinutes(4), default);
        Assert.Empty(await Alerts.ListPendingAsync(10, default));
        var sent = (await Alerts.GetAsync(early.Id, default))!;
        Assert.Equal((AlertState.Sent, 2, (string?)null, (DateTimeOffset?)T0.AddMinutes(4)), (sent.State, sent.Attempts, sent.LastError, sent.SentAt));
        var failed = (await Alerts.GetAsync(late.Id, default))!;
        Assert.Equal((AlertState.Failed, 4, "400 Bad Request", (DateTimeOffset?)null), (failed.State, failed.Attempts, failed.LastError, failed.SentAt));
    }

    [Fact]
    public async Task Marking_NeverTurnsARecordOnlyAlertIntoADelivery()
    {
        var recorded = (await Alerts.RecordAsync(Alert("none", T0, target: null), default)).Alert;

        await Assert.ThrowsAsync<ArgumentException>(() => Alerts.MarkAsync(recorded.Id, AlertState.Recorded, 0, null, T0, default));
        await Alerts.MarkAsync(recorded.Id, AlertState.Sent, 1, null, T0, default);

        Assert.Equal(recorded, await Alerts.GetAsync(recorded.Id, default));
    }

    [Fact]
    public async Task Pages_AreNewestFirst_Filtered_AndCounted()
    {
        await Alerts.RecordAsync(Alert("a", T0), default);
        await Alerts.RecordAsync(Alert("b", T0.AddMinutes(1), kind: "notify"), default);
        await Alerts.RecordAsync(Alert("c", T0.AddMinutes(2), dag: "ml"), default);
        var d = (await Alerts.RecordAsync(Alert("d", T0.AddMinutes(3), target: null), default)).Alert;

        var all = await Alerts.ListAsync(new AlertQuery(), default);
        Assert.Equal(("d,c,b,a", 4), (Keys(all.Items), all.Total));
        var page = await Alerts.ListAsync(new AlertQuery(Offset: 1, Limit: 2), default);
        Assert.Equal(("c,b", 4), (Keys(page.Items), page.Total));
        var etl = await Alerts.ListAsync(new AlertQuery(DagId: "etl"), default);
        Assert.Equal(("d,b,a", 3), (Keys(etl.Items), etl.Total));
        var notify = await Alerts.ListAsync(new AlertQuery(Kind: "notify"), default);
        Assert.Equal(["b"], notify.Items.Select(a => a.DedupeKey));
        var recorded = await Alerts.ListAsync(new AlertQuery(State: AlertState.Recorded), default);
        Assert.Equal([d.Id], recorded.Items.Select(a => a.Id));
        var combined = await Alerts.ListAsync(new AlertQuery(Kind: "taskFailed", DagId: "etl", State: AlertState.Pending), default);
        Assert.Equal(("a", 1), (Keys(combined.Items), combined.Total));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Alerts.ListAsync(new AlertQuery(Limit: 0), default));
    }

    [Fact]
    public async Task Batch_WritesItsAlerts_IgnoringDuplicates_AndNoneWhenItsConditionFails()
    {
        var run = new RunId("r1");
        await Store.Runs.CreateAsync(
            new DagRunRecord(run, new DagId("etl"), "v1", T0, RunType.Manual, DagRunState.Queued, "{}", T0),
            [new TaskInstanceRecord(run, new TaskId("a"), TaskInstanceState.None, 0, 3, "default", T0)], default);
        await Alerts.RecordAsync(Alert("existing", T0), default);

        var stale = new TaskTransition(run, new TaskId("a"), TaskInstanceState.Running, TaskInstanceState.Failed, "failed", T0);
        var refused = await Store.ApplyAsync(new StateChangeBatch(null, null, [stale]) { Alerts = [Alert("lost", T0)] }, default);
        Assert.False(refused.Applied);
        Assert.Equal(["existing"], (await Alerts.ListAsync(new AlertQuery(), default)).Items.Select(a => a.DedupeKey));

        var good = new TaskTransition(run, new TaskId("a"), TaskInstanceState.None, TaskInstanceState.Scheduled, "met", T0);
        var applied = await Store.ApplyAsync(new StateChangeBatch(null, null, [good])
        {
            Alerts = [Alert("existing", T0.AddMinutes(1)) with { Message = "again" }, Alert("new", T0.AddMinutes(2), target: null)],
        }, default);

        Assert.True(applied.Applied);
        var stored = (await Alerts.ListAsync(new AlertQuery(), default)).Items;
        Assert.Equal([("new", AlertState.Recorded), ("existing", AlertState.Pending)], stored.Select(a => (a.DedupeKey, a.State)));
        Assert.Equal("message existing", stored.Single(a => a.DedupeKey == "existing").Message);
    }
}

public sealed class SqliteAlertStoreContractTests : AlertStoreContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-alert-store-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresAlertStoreContractTests : AlertStoreContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
