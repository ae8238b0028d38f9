using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Schedules;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Loading;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;
using Quartz;

namespace Orchestrator.Engine.Tests;

/// <summary>These tests step Quartz on a fake clock (<see cref="IScheduler.TimeProvider"/>) and wait in real time for its
/// fires: they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QuartzClockTests
{
    public const string Name = "Quartz clock";
}

/// <summary>The real Quartz scheduler, as the engine starts it, driven on a fake clock: Quartz's own clock reads the
/// fake one, the test moves it to the earliest next fire time of the triggers the scheduler holds (its cron triggers
/// and the one-shot trigger the scheduler arms for the planner), and records only the fires Quartz performs, as its
/// job listener sees them. Every planned run time of the year's DST changes must be among them.</summary>
[Collection(QuartzClockTests.Name)]
public sealed class QuartzFiringTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-quartz-").FullName;
    private readonly FakeTimeProvider _time = new();
    private SqlMetadataStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), TimeProvider.System, default);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData("30 2 * * *", "America/New_York")] // 02:30 does not exist on 2026-03-08
    [InlineData("30 1 * * *", "America/New_York")] // 01:30 happens twice on 2026-11-01
    [InlineData("0 */3 * * *", "Europe/London")]
    [InlineData("15 1 1,15 * 1", "Europe/Paris")] // day-of-month OR day-of-week: two Quartz triggers
    [InlineData("*/20 * * * *", "Australia/Sydney")]
    [InlineData("@weekly", "UTC")]
    public async Task Quartz_FiresAtEveryPlannedTime_AcrossTheYearsDstChanges(string schedule, string zone)
    {
        var tz = TimeZoneInfo.FindSystemTimeZoneById(zone);
        var cron = CronSchedule.Parse(schedule);
        await File.WriteAllTextAsync(Path.Combine(_folder, "x.json"), $$"""
            {"id": "x", "schedule": "{{schedule}}", "timezone": "{{zone}}", "start": "2025-01-01", "catchup": false,
             "tasks": [{"id": "work", "type": "empty"}]}
            """);

        // Windows around both DST changes of 2026 in each hemisphere.
        foreach (var from in new[] { At("2026-03-07T00:00:00Z"), At("2026-03-28T00:00:00Z"), At("2026-04-04T00:00:00Z"), At("2026-10-03T00:00:00Z"), At("2026-10-24T00:00:00Z"), At("2026-10-31T00:00:00Z") })
        {
            var until = from.AddDays(2);
            var planned = cron.GetOccurrences(from, until, tz).ToList();
            var fired = await QuartzFiresAsync(from, until);
            Assert.True(planned.Except(fired).ToList() is [], $"{schedule} in {zone} from {from:O}: Quartz never fired at {string.Join(", ", planned.Except(fired).Select(t => t.ToString("O")))}");
            Assert.True(fired.Count <= planned.Count + 2, $"{fired.Count} fires for {planned.Count} planned runs"); // a shifted extra fire creates nothing
        }
    }

    /// <summary>A 6-field schedule reaches Quartz with its seconds: two schedulers (two Quartz instances, one store)
    /// on the real clock, Quartz's own cron triggers firing every second (not the planner's one-shot stand-in), and
    /// the store keeps exactly one run per logical date, each with its second in the run id. Real time because the
    /// engine's triggers start at the real now; no timing is asserted beyond a generous bound.</summary>
    [Fact(Timeout = 60_000)]
    public async Task EverySecondSchedule_TwoSchedulers_OneRunPerLogicalDate()
    {
        const int Wanted = 4;
        await File.WriteAllTextAsync(Path.Combine(_folder, "x.json"), """
            {"id": "x", "schedule": "* * * * * *", "timezone": "UTC", "start": "2025-01-01", "catchup": false,
             "tasks": [{"id": "work", "type": "empty"}]}
            """);
        var clock = TimeProvider.System;
        var loader = DagLoaders.CreateFolderLoader(new DagLoaderOptions { KnownTaskTypes = new HashSet<string> { "empty" } });
        var catalog = new DagCatalog(_folder, loader, _store, clock);
        await catalog.RefreshAsync(default);
        await using var first = await QuartzRunScheduler.StartAsync(catalog, new RunFactory(_store, clock), () => Task.CompletedTask, clock, default);
        await using var second = await QuartzRunScheduler.StartAsync(catalog, new RunFactory(_store, clock), () => Task.CompletedTask, clock, default);
        var listeners = new[] { first.Scheduler, second.Scheduler }.Select(scheduler =>
        {
            var listener = new FireRecorder();
            scheduler.ListenerManager.AddJobListener(listener);
            return listener;
        }).ToList();

        // Seconds both schedulers' cron triggers fired at: each would have created that run if the other had not.
        var deadline = DateTime.UtcNow.AddSeconds(45);
        List<DateTimeOffset> both;
        while ((both = [.. listeners[0].CronFires.Intersect(listeners[1].CronFires).Order()]).Count < Wanted)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {both.Count} seconds fired by both schedulers' cron triggers");
            await Task.Delay(50);
        }

        Assert.All(listeners, listener => Assert.Empty(listener.Failures));
        Assert.All(both, at => Assert.Equal(0, at.UtcTicks % TimeSpan.TicksPerSecond));
        Assert.True(both[^1] - both[0] < TimeSpan.FromMinutes(1), "the fires are seconds apart, not minutes");

        var runs = await _store.Runs.ListAsync(new Storage.Records.RunQuery(new Core.Model.DagId("x"), Limit: 1000), default);
        Assert.Equal(runs.Count, runs.Select(run => run.LogicalDate).Distinct().Count());
        foreach (var at in both)
        {
            var run = Assert.Single(runs, run => run.LogicalDate == at);
            Assert.Equal($"scheduled__{at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss}+00:00__x", run.RunId.Value);
        }
    }

    /// <summary>Starts the scheduler at <paramref name="from"/> and steps Quartz's clock from fire to fire.</summary>
    private async Task<List<DateTimeOffset>> QuartzFiresAsync(DateTimeOffset from, DateTimeOffset until)
    {
        // A minute early: a trigger due at the very start would fire before the listener is added.
        _time.SetUtcNow(from.AddMinutes(-1));
        var loader = DagLoaders.CreateFolderLoader(new DagLoaderOptions { KnownTaskTypes = new HashSet<string> { "empty" } });
        var catalog = new DagCatalog(_folder, loader, _store, _time);
        await catalog.RefreshAsync(default);
        await using var runs = await QuartzRunScheduler.StartAsync(catalog, new RunFactory(_store, _time), () => Task.CompletedTask, _time, default);
        var scheduler = runs.Scheduler;
        var listener = new FireRecorder();
        scheduler.ListenerManager.AddJobListener(listener);
        var job = QuartzRunScheduler.JobFor(new Core.Model.DagId("x")).Key;
        var fired = new List<DateTimeOffset>();
        while (true)
        {
            var triggers = await scheduler.GetTriggersOfJob(job);
            var next = triggers.Select(t => t.NextFireTimeUtc).Where(t => t is not null).Min();
            if (next is not { } at || at >= until)
            {
                return fired;
            }

            var due = triggers.Count(t => t.NextFireTimeUtc == at);
            _time.SetUtcNow(at);
            await WakeAsync(scheduler);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (listener.Count(at) < due)
            {
                Assert.True(DateTime.UtcNow < deadline, $"Quartz did not fire at {at:O}");
                await Task.Delay(1);
            }

            Assert.Empty(listener.Failures);
            fired.AddRange(Enumerable.Repeat(at, due));
        }
    }

    /// <summary>Quartz's thread sleeps in real time until the fire time it computed; any scheduling change wakes it
    /// to read its (fake) clock again.</summary>
    private static async Task WakeAsync(IScheduler scheduler)
    {
        var wake = JobBuilder.Create<NeverRuns>().WithIdentity("wake", "test").StoreDurably().Build();
        var later = TriggerBuilder.Create().WithIdentity("wake", "test").ForJob(wake).StartAt(new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero)).Build();
        await scheduler.ScheduleJob(wake, [later], ScheduleJobOptions.Replacing);
    }

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    private sealed class FireRecorder : IJobListener
    {
        private readonly ConcurrentDictionary<DateTimeOffset, int> _fires = new();

        public ConcurrentQueue<Exception> Failures { get; } = new();

        public string Name => "fire recorder";

        public int Count(DateTimeOffset at) => _fires.GetValueOrDefault(at);

        /// <summary>Scheduled times fired by the DAG's cron triggers, leaving out the planner's one-shot triggers.</summary>
        public ConcurrentBag<DateTimeOffset> CronFires { get; } = [];

        ValueTask IJobListener.JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken)
        {
            if (jobException is not null)
            {
                Failures.Enqueue(jobException);
            }

            _fires.AddOrUpdate(context.ScheduledFireTimeUtc ?? context.FireTimeUtc, 1, (_, n) => n + 1);
            if (!context.Trigger.Key.Name.Contains("#planned@", StringComparison.Ordinal))
            {
                CronFires.Add(context.ScheduledFireTimeUtc ?? context.FireTimeUtc);
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class NeverRuns : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
    }
}
