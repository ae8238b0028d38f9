using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Hosting;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Engine.Tests;

/// <summary>Which queued runs the embedded engine starts, and when: logical-date order however many are queued,
/// paused and deleted DAGs wait, unpausing creates what is due at once.</summary>
public sealed class RunPickupTests : EngineHomeTest
{
    [Fact]
    public async Task MoreThanAThousandQueuedRuns_StartInLogicalDateOrder_OneAtATime()
    {
        WriteDag("one_by_one", """ "maxActiveRuns": 1, "tasks": [{"id": "t", "type": "empty"}] """);
        var engine = await StartEngineAsync();
        var dag = engine.Catalog.Current[new DagId("one_by_one")];
        await engine.DisposeAsync(); // runs are queued while no engine runs, as after a long outage
        var factory = new RunFactory(Store, TimeProvider.System);
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        const int count = 1_050;
        // created newest first, so creation order cannot pass for logical-date order
        foreach (var i in Enumerable.Range(0, count).Reverse())
        {
            Assert.True(await factory.CreateAsync(dag, new RunId($"scheduled__{i:D4}"), start.AddMinutes(i), RunType.Scheduled, "{}", default));
        }

        await using (engine = await StartEngineAsync())
        {
            await Eventually.WaitUntilAsync(async () => (await Store.Runs.ListAsync(new RunQuery(dag.Id, DagRunState.Queued, 1), default)).Count == 0
                && (await Store.Runs.ListAsync(new RunQuery(dag.Id, DagRunState.Running, 1), default)).Count == 0, TimeSpan.FromSeconds(120));
        }

        var runs = await Store.Runs.ListAsync(new RunQuery(dag.Id, Limit: count, OldestFirst: true), default);
        Assert.Equal(count, runs.Count);
        Assert.All(runs, r => Assert.Equal(DagRunState.Success, r.State));
        for (var i = 1; i < runs.Count; i++)
        {
            Assert.True(runs[i - 1].EndedAt <= runs[i].StartedAt, $"run {runs[i].RunId} started before {runs[i - 1].RunId} ended");
        }
    }

    [Fact]
    public async Task APausedDagsScheduledRunsWait_ItsManualRunsStart_AndUnpausingStartsTheRest()
    {
        WriteDag("pausable", """ "tasks": [{"id": "t", "type": "empty"}] """);
        await using var engine = await StartEngineAsync();
        var dag = engine.Catalog.Current[new DagId("pausable")];
        Assert.True(await Store.Dags.SetPausedAsync(dag.Id, true, DateTimeOffset.UtcNow, default));
        var factory = new RunFactory(Store, TimeProvider.System);
        var scheduled = new RunId("scheduled__1");
        var manual = new RunId("manual__1");
        Assert.True(await factory.CreateAsync(dag, scheduled, DateTimeOffset.UtcNow.AddDays(-1), RunType.Scheduled, "{}", default));
        Assert.True(await factory.CreateAsync(dag, manual, DateTimeOffset.UtcNow, RunType.Manual, "{}", default));

        await Eventually.WaitUntilAsync(async () => (await Store.Runs.GetAsync(manual, default))!.State == DagRunState.Success);
        await engine.StartQueuedRunsAsync();
        Assert.Equal(DagRunState.Queued, (await Store.Runs.GetAsync(scheduled, default))!.State);

        Assert.True(await Store.Dags.SetPausedAsync(dag.Id, false, DateTimeOffset.UtcNow, default));
        await Eventually.WaitUntilAsync(async () => (await Store.Runs.GetAsync(scheduled, default))!.State == DagRunState.Success);
    }

    [Fact]
    public async Task QueuedRunsOfADagWhoseFileIsGone_DoNotStart()
    {
        WriteDag("doomed", """ "tasks": [{"id": "t", "type": "empty"}] """);
        await using var engine = await StartEngineAsync();
        var dag = engine.Catalog.Current[new DagId("doomed")];
        File.Delete(Path.Combine(Dags, "doomed.json"));
        await Eventually.WaitUntilAsync(() => Task.FromResult(engine.Catalog.Current.Count == 0));
        var run = new RunId("manual__orphan");
        Assert.True(await new RunFactory(Store, TimeProvider.System).CreateAsync(dag, run, DateTimeOffset.UtcNow, RunType.Manual, "{}", default));

        await engine.StartQueuedRunsAsync();
        await Task.Delay(600); // three pickup periods
        Assert.Equal(DagRunState.Queued, (await Store.Runs.GetAsync(run, default))!.State);

        WriteDag("doomed", """ "tasks": [{"id": "t", "type": "empty"}] """); // the file is back: the run goes
        await Eventually.WaitUntilAsync(async () => (await Store.Runs.GetAsync(run, default))!.State == DagRunState.Success);
    }

    [Fact]
    public async Task Unpausing_CreatesTheDueRunAtOnce_NotAtTheNextCronFire()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero));
        WriteDag("daily", """ "schedule": "@daily", "start": "2026-03-01", "catchup": false, "tasks": [{"id": "t", "type": "empty"}] """);
        await using var engine = await StartEngineAsync(time);
        var id = new DagId("daily");
        Assert.Equal([new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero)], await LogicalDatesAsync(id)); // due at start
        Assert.True(await Store.Dags.SetPausedAsync(id, true, time.GetUtcNow(), default));
        await engine.StartQueuedRunsAsync(); // the engine sees it paused

        time.Advance(TimeSpan.FromDays(2)); // two fire times pass while paused
        await engine.StartQueuedRunsAsync();
        Assert.Single(await LogicalDatesAsync(id));

        Assert.True(await Store.Dags.SetPausedAsync(id, false, time.GetUtcNow(), default));
        await engine.StartQueuedRunsAsync();
        Assert.Equal(
            [new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 12, 0, 0, 0, TimeSpan.Zero)],
            await LogicalDatesAsync(id)); // the latest only: no catchup
    }

    private async Task<List<DateTimeOffset>> LogicalDatesAsync(DagId id) =>
        [.. (await Store.Runs.ListAsync(new RunQuery(id, OldestFirst: true), default)).Select(r => r.LogicalDate)];

    // On a fake clock the engine's periodic timers would fire once per period of every Advance: make them rare.
    private void WriteDag(string id, string rest) => File.WriteAllText(Path.Combine(Dags, $"{id}.json"), $$"""{"id": "{{id}}", {{rest}} }""");
}
