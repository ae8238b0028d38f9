using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>What the event outbox must do on every backend: emit once per dedupe key, deliver in order, record the
/// run an event created, and take events inside a state-change batch only when the batch applies.</summary>
public abstract class EventStoreContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 3, 0, 0, TimeSpan.Zero);

    private IEventStore Events => Store.Events;

    private static NewEvent Drift(string key, string model = "taxi", int minute = 0) =>
        new(EventKinds.Drift, model, """{"share": 0.6}""", key, T0.AddMinutes(minute)) { SourceDagId = "monitor", SourceRunId = "r1", SourceTaskId = "drift" };

    [Fact]
    public async Task Migration8_IsApplied()
    {
        Assert.Contains(8, await Store.AppliedMigrationsAsync(default));
    }

    [Fact]
    public async Task Emitting_IsIdempotentByDedupeKey_AndKeepsTheFirst()
    {
        var (first, created) = await Events.EmitAsync(Drift("drift:r1:drift"), default);
        Assert.True(created);
        Assert.Equal((EventKinds.Drift, "taxi", """{"share": 0.6}""", T0), (first.Kind, first.Subject, first.Payload, first.CreatedAt));
        Assert.Equal(("monitor", "r1", "drift"), (first.SourceDagId, first.SourceRunId, first.SourceTaskId));
        Assert.Null(first.DeliveredAt);

        var (again, createdAgain) = await Events.EmitAsync(Drift("drift:r1:drift", model: "other", minute: 5), default);
        Assert.False(createdAgain);
        Assert.Equal(first, again);
        Assert.Equal(1, (await Events.ListAsync(new EventQuery(), default)).Total);
    }

    [Fact]
    public async Task Undelivered_AreListedOldestFirst_AndMarkedOnce()
    {
        var a = (await Events.EmitAsync(Drift("a"), default)).Event;
        var b = (await Events.EmitAsync(Drift("b", minute: 1), default)).Event;
        var c = (await Events.EmitAsync(Drift("c", minute: 2), default)).Event;
        Assert.Equal([a.Id, b.Id], (await Events.ListUndeliveredAsync(2, default)).Select(e => e.Id));

        Assert.True(await Events.MarkDeliveredAsync(a.Id, T0.AddMinutes(3), default));
        Assert.False(await Events.MarkDeliveredAsync(a.Id, T0.AddMinutes(4), default));
        Assert.False(await Events.MarkDeliveredAsync(999_999, T0, default));
        Assert.Equal([b.Id, c.Id], (await Events.ListUndeliveredAsync(10, default)).Select(e => e.Id));
        Assert.Equal(T0.AddMinutes(3), (await Events.GetAsync(a.Id, default))!.DeliveredAt);
        Assert.Null(await Events.GetAsync(999_999, default));
    }

    [Fact]
    public async Task Listing_FiltersByKindAndSubject_NewestFirst_WithPaging()
    {
        await Events.EmitAsync(Drift("1", "taxi"), default);
        await Events.EmitAsync(Drift("2", "churn"), default);
        await Events.EmitAsync(new NewEvent(EventKinds.Dataset, "taxi", "{}", "3", T0), default);
        await Events.EmitAsync(Drift("4", "taxi"), default);

        var taxiDrift = await Events.ListAsync(new EventQuery(EventKinds.Drift, "taxi"), default);
        Assert.Equal(2, taxiDrift.Total);
        Assert.Equal(["4", "1"], taxiDrift.Items.Select(e => e.DedupeKey));
        var page = await Events.ListAsync(new EventQuery(Offset: 1, Limit: 2), default);
        Assert.Equal(4, page.Total);
        Assert.Equal(["3", "2"], page.Items.Select(e => e.DedupeKey));
    }

    [Fact]
    public async Task ARunKeepsTheEventItWasCreatedFor_AndIsFoundByIt()
    {
        var emitted = (await Events.EmitAsync(Drift("e"), default)).Event;
        var run = new DagRunRecord(new RunId("event__1"), new DagId("retrain"), "v1", T0, RunType.Event, DagRunState.Queued, emitted.Payload, T0)
        {
            EventId = emitted.Id,
        };
        Assert.True(await Store.Runs.CreateAsync(run, [], default));
        Assert.True(await Store.Runs.CreateAsync(run with { RunId = new RunId("manual__1"), RunType = RunType.Manual, LogicalDate = T0.AddHours(1), EventId = null }, [], default));

        Assert.Equal(emitted.Id, (await Store.Runs.GetAsync(run.RunId, default))!.EventId);
        Assert.Equal([run.RunId], (await Store.Runs.ListByEventsAsync([emitted.Id, 424242], default)).Select(r => r.RunId));
        Assert.Empty(await Store.Runs.ListByEventsAsync([], default));
        Assert.Equal([emitted.Id], (await Store.Events.GetManyAsync([emitted.Id, 424242], default)).Select(e => e.Id));
    }

    [Fact]
    public async Task EventsInABatch_AreRecordedWithIt_OrNotAtAll()
    {
        var run = new DagRunRecord(new RunId("r"), new DagId("d"), "v1", T0, RunType.Manual, DagRunState.Running, "{}", T0);
        Assert.True(await Store.Runs.CreateAsync(run, [], default));
        var succeeded = new NewEvent(EventKinds.DagSucceeded, "d", """{"runId": "r"}""", "dagSucceeded:r", T0.AddMinutes(1));

        var refused = await Store.ApplyAsync(new StateChangeBatch(Run: new RunTransition(run.RunId, DagRunState.Queued, DagRunState.Success, T0)) { Events = [succeeded] }, default);
        Assert.False(refused.Applied);
        Assert.Empty(await Events.ListUndeliveredAsync(10, default));

        var applied = await Store.ApplyAsync(new StateChangeBatch(Run: new RunTransition(run.RunId, DagRunState.Running, DagRunState.Success, T0)) { Events = [succeeded] }, default);
        Assert.True(applied.Applied);
        var recorded = Assert.Single(await Events.ListUndeliveredAsync(10, default));
        Assert.Equal(("dagSucceeded:r", EventKinds.DagSucceeded, "d"), (recorded.DedupeKey, recorded.Kind, recorded.Subject));

        // the same key again in a later batch is not a second event
        Assert.True((await Store.ApplyAsync(new StateChangeBatch { Events = [succeeded] }, default)).Applied);
        Assert.Single(await Events.ListUndeliveredAsync(10, default));
    }
}

public sealed class SqliteEventStoreContractTests : EventStoreContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-event-store-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresEventStoreContractTests : EventStoreContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
