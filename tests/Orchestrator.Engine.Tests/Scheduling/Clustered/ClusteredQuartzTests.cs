using System.Collections.Concurrent;
using Npgsql;
using Orchestrator.Core.Model;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Engine.Scheduling.Clustered;
using Orchestrator.Loading;
using Orchestrator.Loading.Folder;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Quartz;

using Orchestrator.Tests.Shared;

namespace Orchestrator.Engine.Tests.Clustered;

/// <summary>Two <see cref="QuartzRunScheduler"/>s clustered on one PostgreSQL Quartz store, as two scheduler processes
/// would be. Quartz clocks itself in real time here (a clustered store's check-ins and row locks are real), so the
/// test runs for a few bounded seconds.</summary>
public sealed class ClusteredQuartzTests : IAsyncLifetime
{
    private static readonly DagId Dag = new("every_minute");
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-cluster-").FullName;
    private ScratchDatabase _database = null!;

    public async Task InitializeAsync()
    {
        _database = await ScratchDatabase.CreateAsync();
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await QuartzSchema.MigrateAsync(connection, default);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task TwoClusteredSchedulers_TakeEachFireOnce_AndOneKeepsFiringWhenTheOtherStops()
    {
        // Catchup from ten minutes ago: the first fires on both nodes race to create the same ten-odd runs.
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        await File.WriteAllTextAsync(Path.Combine(_folder, "dag.json"), $$"""
            {"id": "{{Dag}}", "schedule": "* * * * *", "start": "{{start:yyyy-MM-ddTHH:mm:ssZ}}", "catchup": true,
             "tasks": [{"id": "t", "type": "empty"}]}
            """);
        await using var store = await SqlMetadataStore.OpenAsync(new PostgresDatabase(_database.ConnectionString), TimeProvider.System, default);
        var fires = new ConcurrentQueue<(string Node, DateTimeOffset ScheduledAt)>();
        var clustered = QuartzStore.ClusteredPostgres(_database.ConnectionString, checkinInterval: TimeSpan.FromSeconds(1), checkinMisfireThreshold: TimeSpan.FromSeconds(2));

        var first = await StartNodeAsync(store, clustered, fires);
        var second = await StartNodeAsync(store, clustered, fires);
        try
        {
            // A one-second trigger on the DAG's job, stored once in the shared store: both nodes may acquire it.
            await first.Scheduler.ScheduleJob(TriggerBuilder.Create().WithIdentity("tick", "test").ForJob(QuartzRunScheduler.JobFor(Dag).Key)
                .StartNow().WithSimpleSchedule(s => s.WithInterval(TimeSpan.FromSeconds(1)).RepeatForever()).Build());
            await Eventually.WaitUntilAsync(() => Task.FromResult(fires.Count >= 5), TimeSpan.FromSeconds(20));

            var firstNode = first.Scheduler.SchedulerInstanceId;
            Assert.NotEqual(firstNode, second.Scheduler.SchedulerInstanceId);
            await first.DisposeAsync();
            var beforeStop = fires.Count;
            await Eventually.WaitUntilAsync(() => Task.FromResult(fires.Skip(beforeStop).Count(f => f.Node != firstNode) >= 3), TimeSpan.FromSeconds(20));
        }
        finally
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
        }

        // Each scheduled fire of the shared trigger was executed by exactly one node.
        var doubled = fires.GroupBy(f => f.ScheduledAt).Where(g => g.Count() > 1).Select(g => $"{g.Key:O} on {string.Join(", ", g.Select(f => f.Node))}").ToList();
        Assert.True(doubled is [], $"fired on more than one node: {string.Join("; ", doubled)}");

        // And the runs both nodes asked for exist once per logical date, every due one of them.
        var runs = await store.Runs.ListAsync(new RunQuery(Dag, Limit: 1000), default);
        Assert.Equal(runs.Count, runs.Select(r => r.LogicalDate).Distinct().Count());
        var due = Core.Schedules.SchedulePlanner.DueRuns(
            (await Loaded(store)).Definition, lastLogicalDate: null, DateTimeOffset.UtcNow).Count;
        Assert.InRange(runs.Count, due - 1, due); // a minute may have turned since the last fire
    }

    [Fact]
    public async Task ClusteredStore_OnADatabaseDbMigrateHasNotPrepared_RefusesToStart()
    {
        await using var bare = await ScratchDatabase.CreateAsync();
        await File.WriteAllTextAsync(Path.Combine(_folder, "dag.json"), $$"""{"id": "{{Dag}}", "tasks": [{"id": "t", "type": "empty"}]}""");
        await using var store = await SqlMetadataStore.OpenAsync(new PostgresDatabase(bare.ConnectionString), TimeProvider.System, default);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartNodeAsync(store, QuartzStore.ClusteredPostgres(bare.ConnectionString), new()));

        Assert.Contains("run `orchestrator db migrate`", refused.Message);
        Assert.Contains("quartz.qrtz_", refused.Message);
    }

    private async Task<QuartzRunScheduler> StartNodeAsync(SqlMetadataStore store, QuartzStore quartzStore, ConcurrentQueue<(string, DateTimeOffset)> fires)
    {
        var catalog = new DagCatalog(_folder, Loader(), store, TimeProvider.System);
        await catalog.RefreshAsync(default);
        var node = await QuartzRunScheduler.StartAsync(catalog, new RunFactory(store, TimeProvider.System), () => Task.CompletedTask, TimeProvider.System, quartzStore, default);
        node.Scheduler.ListenerManager.AddJobListener(new FireRecorder(fires));
        return node;
    }

    private async Task<LoadedDag> Loaded(SqlMetadataStore store)
    {
        var catalog = new DagCatalog(_folder, Loader(), store, TimeProvider.System);
        await catalog.RefreshAsync(default);
        return catalog.Current[Dag];
    }

    private static DagFolderLoader Loader() => DagLoaders.CreateFolderLoader(new DagLoaderOptions { KnownTaskTypes = new HashSet<string> { "empty" } });

    /// <summary>Records which node executed which scheduled fire of the test's tick trigger.</summary>
    private sealed class FireRecorder(ConcurrentQueue<(string, DateTimeOffset)> fires) : IJobListener
    {
        public string Name => "fire recorder";

        ValueTask IJobListener.JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken)
        {
            Assert.Null(jobException);
            if (context.Trigger.Key.Name == "tick")
            {
                fires.Enqueue((context.Scheduler.SchedulerInstanceId, context.ScheduledFireTimeUtc ?? context.FireTimeUtc));
            }

            return ValueTask.CompletedTask;
        }
    }
}
