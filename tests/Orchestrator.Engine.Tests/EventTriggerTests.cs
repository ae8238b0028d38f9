using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Events;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Loading;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Tests;

/// <summary>DAGs that run on events: another DAG's success, a dataset version, drift. The event's payload is the run's
/// conf, the run names its event, and each event creates each triggered run once, even across an engine restart.</summary>
public sealed class EventTriggerTests : EngineHomeTest
{
    [Fact]
    public async Task ADagsSuccess_TriggersTheDagWaitingOnIt_OnceWithThePayloadAsConf()
    {
        WriteDag("upstream", """ "tasks": [{"id": "t", "type": "empty"}] """);
        WriteDag("downstream", """ "triggers": [{"event": "dagSucceeded", "dag": "upstream"}], "tasks": [{"id": "t", "type": "empty"}] """);
        WriteDag("bystander", """ "triggers": [{"event": "dagSucceeded", "dag": "downstream"}], "tasks": [{"id": "t", "type": "empty"}] """);
        await using var engine = await StartEngineAsync();
        var (upstreamRun, _) = await new RunFactory(Store, TimeProvider.System).CreateManualAsync(engine.Catalog.Current[new DagId("upstream")], "{}", default);
        await engine.StartQueuedRunsAsync();

        // upstream → downstream → bystander, each once
        var bystanderRun = await Eventually.ValueAsync(async () =>
            (await Store.Runs.ListAsync(new RunQuery(new DagId("bystander")), default)) is [{ State: DagRunState.Success } run] ? run : null, TimeSpan.FromSeconds(30));
        var downstream = Assert.Single(await Store.Runs.ListAsync(new RunQuery(new DagId("downstream")), default));
        Assert.Equal((RunType.Event, DagRunState.Success), (downstream.RunType, downstream.State));
        var triggering = await Store.Events.GetAsync(downstream.EventId!.Value, default);
        Assert.Equal((EventKinds.DagSucceeded, "upstream", upstreamRun.Value), (triggering!.Kind, triggering.Subject, triggering.SourceRunId));
        Assert.NotNull(triggering.DeliveredAt);
        using var conf = JsonDocument.Parse(downstream.Conf);
        Assert.Equal(upstreamRun.Value, conf.RootElement.GetProperty("runId").GetString());
        Assert.Equal(RunId.ForEvent(new DagId("downstream"), triggering.Id), downstream.RunId);
        Assert.Equal("downstream", (await Store.Events.GetAsync(bystanderRun.EventId!.Value, default))!.Subject);

        await engine.StartQueuedRunsAsync();
        Assert.Single(await Store.Runs.ListAsync(new RunQuery(new DagId("downstream")), default));
        Assert.Equal(2, (await Store.Events.ListAsync(new EventQuery(EventKinds.DagSucceeded), default)).Total); // no DAG waits on bystander: no event
    }

    [Fact]
    public async Task AnEventWhoseRunWasCreatedBeforeARestart_IsDeliveredOnce()
    {
        WriteDag("retrain", """ "triggers": [{"event": "dagSucceeded", "dag": "monitor"}], "tasks": [{"id": "t", "type": "empty"}] """);
        WriteDag("monitor", """ "tasks": [{"id": "t", "type": "empty"}] """);
        var catalog = await LoadCatalogAsync();
        var (emitted, _) = await Store.Events.EmitAsync(new NewEvent(EventKinds.DagSucceeded, "monitor", """{"reason": "test"}""", "k1", DateTimeOffset.UtcNow), default);
        // the engine died after creating the run and before marking the event delivered
        var (runId, created) = await new RunFactory(Store, TimeProvider.System).CreateForEventAsync(catalog.Current[new DagId("retrain")], emitted, default);
        Assert.True(created);
        Assert.Null((await Store.Events.GetAsync(emitted.Id, default))!.DeliveredAt);

        await using var engine = await StartEngineAsync();
        await engine.StartQueuedRunsAsync();
        await Eventually.WaitUntilAsync(async () => (await Store.Runs.GetAsync(runId, default))!.State == DagRunState.Success);
        Assert.Single(await Store.Runs.ListAsync(new RunQuery(new DagId("retrain")), default));
        Assert.NotNull((await Store.Events.GetAsync(emitted.Id, default))!.DeliveredAt);
    }

    [Fact]
    public async Task EventsForOneDagInTheSameMillisecond_EachGetARun()
    {
        WriteDag("retrain", """ "maxActiveRuns": 1, "triggers": [{"event": "dagSucceeded", "dag": "monitor"}], "tasks": [{"id": "t", "type": "empty"}] """);
        WriteDag("monitor", """ "tasks": [{"id": "t", "type": "empty"}] """);
        var at = DateTimeOffset.UtcNow;
        for (var i = 0; i < 5; i++)
        {
            await Store.Events.EmitAsync(new NewEvent(EventKinds.DagSucceeded, "monitor", $$"""{"n": {{i}}}""", $"same-ms-{i}", at), default);
        }

        await using var engine = await StartEngineAsync();
        await engine.StartQueuedRunsAsync();
        await Eventually.WaitUntilAsync(async () => (await Store.Runs.ListAsync(new RunQuery(new DagId("retrain"), DagRunState.Success), default)).Count == 5, TimeSpan.FromSeconds(30));
        var runs = await Store.Runs.ListAsync(new RunQuery(new DagId("retrain"), OldestFirst: true), default);
        Assert.Equal(5, runs.Select(r => r.LogicalDate).Distinct().Count());
        Assert.Equal([0, 1, 2, 3, 4], runs.Select(r => JsonDocument.Parse(r.Conf).RootElement.GetProperty("n").GetInt32()));
    }

    [Fact]
    public async Task APausedDagsEventRun_WaitsQueued_UntilUnpaused()
    {
        WriteDag("retrain", """ "triggers": [{"event": "dagSucceeded", "dag": "monitor"}], "tasks": [{"id": "t", "type": "empty"}] """);
        WriteDag("monitor", """ "tasks": [{"id": "t", "type": "empty"}] """);
        await using var engine = await StartEngineAsync();
        Assert.True(await Store.Dags.SetPausedAsync(new DagId("retrain"), true, DateTimeOffset.UtcNow, default));
        await Store.Events.EmitAsync(new NewEvent(EventKinds.DagSucceeded, "monitor", "{}", "k", DateTimeOffset.UtcNow), default);
        await engine.StartQueuedRunsAsync();
        await engine.StartQueuedRunsAsync();
        var run = Assert.Single(await Store.Runs.ListAsync(new RunQuery(new DagId("retrain")), default));
        Assert.Equal(DagRunState.Queued, run.State);

        Assert.True(await Store.Dags.SetPausedAsync(new DagId("retrain"), false, DateTimeOffset.UtcNow, default));
        await Eventually.WaitUntilAsync(async () => (await Store.Runs.GetAsync(run.RunId, default))!.State == DagRunState.Success);
    }

    [Fact]
    public async Task AnEventNoDagWaitsFor_IsMarkedDelivered_AndCreatesNothing()
    {
        WriteDag("monitor", """ "tasks": [{"id": "t", "type": "empty"}] """);
        await using var engine = await StartEngineAsync();
        var (emitted, _) = await Store.Events.EmitAsync(new NewEvent(EventKinds.Drift, "nobody", "{}", "k", DateTimeOffset.UtcNow), default);
        await engine.StartQueuedRunsAsync();
        Assert.NotNull((await Store.Events.GetAsync(emitted.Id, default))!.DeliveredAt);
        Assert.Empty(await Store.Runs.ListAsync(new RunQuery(), default));
    }

    private async Task<DagCatalog> LoadCatalogAsync()
    {
        var catalog = new DagCatalog(Dags, DagLoaders.CreateFolderLoader(Hosting.DagLoading.OptionsFor(Execution.TaskTypes.TaskTypeRegistry.CreateDefault())), Store, TimeProvider.System);
        await catalog.RefreshAsync(default);
        return catalog;
    }

    private void WriteDag(string id, string rest) => File.WriteAllText(Path.Combine(Dags, $"{id}.json"), $$"""{"id": "{{id}}", {{rest}} }""");
}
