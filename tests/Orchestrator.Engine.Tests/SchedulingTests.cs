using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.Schedules;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Loading;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Engine.Tests;

/// <summary>Scheduled runs on a fake clock and a real store: which logical dates get runs (cron in the DAG's time
/// zone across DST changes, catchup on and off, pause), and that asking again or from two schedulers at once never
/// creates a logical date twice. That Quartz fires at every planned time is in <see cref="QuartzFiringTests"/>.</summary>
public sealed class SchedulingTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-scheduling-").FullName;
    private readonly FakeTimeProvider _time = new();
    private SqlMetadataStore _store = null!;

    public async Task InitializeAsync() =>
        _store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), TimeProvider.System, default);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Catchup_CreatesOneRunPerMissedInterval_InTheDagsTimeZone_AcrossSpringForward()
    {
        // 01:30 in New York: 06:30Z while on EST, 05:30Z once EDT starts (2026-03-08 at 02:00 local).
        var dag = await RegisterAsync("nightly", "30 1 * * *", "America/New_York", At("2026-03-06T05:00:00Z"), catchup: true);
        _time.SetUtcNow(At("2026-03-10T12:00:00Z"));

        await new RunFactory(_store, _time).CreateDueRunsAsync(dag, default);

        Assert.Equal(
            ["2026-03-06T06:30:00Z", "2026-03-07T06:30:00Z", "2026-03-08T06:30:00Z", "2026-03-09T05:30:00Z", "2026-03-10T05:30:00Z"],
            await LogicalDatesAsync("nightly"));
    }

    [Fact]
    public async Task Catchup_AcrossFallBack_RunsTheRepeatedLocalTimeOnce()
    {
        // 2026-11-01: 01:30 happens twice in New York (EDT, then EST). One run, at the first.
        var dag = await RegisterAsync("nightly", "30 1 * * *", "America/New_York", At("2026-10-31T04:00:00Z"), catchup: true);
        _time.SetUtcNow(At("2026-11-02T12:00:00Z"));

        await new RunFactory(_store, _time).CreateDueRunsAsync(dag, default);

        Assert.Equal(["2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"], await LogicalDatesAsync("nightly"));
    }

    [Fact]
    public async Task AskingAgain_OrFromSeveralSchedulersAtOnce_NeverCreatesALogicalDateTwice()
    {
        var dag = await RegisterAsync("hourly", "@hourly", "UTC", At("2026-01-01T00:00:00Z"), catchup: true);
        _time.SetUtcNow(At("2026-01-01T05:30:00Z"));
        var schedulers = Enumerable.Range(0, 4).Select(_ => new RunFactory(_store, _time)).ToList();

        var created = await Task.WhenAll(schedulers.Select(s => Task.Run(() => s.CreateDueRunsAsync(dag, default))));
        var again = await schedulers[0].CreateDueRunsAsync(dag, default);
        _time.Advance(TimeSpan.FromMinutes(29)); // 05:59: nothing new is due
        var early = await schedulers[1].CreateDueRunsAsync(dag, default);
        _time.Advance(TimeSpan.FromMinutes(1)); // 06:00: the next one
        var next = await schedulers[2].CreateDueRunsAsync(dag, default);

        Assert.Equal(6, created.Sum(c => c.Count)); // 00:00 … 05:00, each created by exactly one scheduler
        Assert.Empty(again);
        Assert.Empty(early);
        Assert.Equal(["scheduled__2026-01-01T06:00:00+00:00__hourly"], next.Select(r => r.Value));
        var dates = await LogicalDatesAsync("hourly");
        Assert.Equal(7, dates.Count);
        Assert.Equal(dates.Count, dates.Distinct().Count());
    }

    [Fact]
    public async Task WithoutCatchup_OnlyTheLatestIntervalRuns_AndAManualRunDoesNotHideTheSchedule()
    {
        var dag = await RegisterAsync("daily", "@daily", "Europe/London", At("2025-01-01T00:00:00Z"), catchup: false);
        _time.SetUtcNow(At("2026-03-29T12:00:00Z")); // London moved to BST at 01:00Z that day
        var factory = new RunFactory(_store, _time);

        await factory.CreateDueRunsAsync(dag, default);
        await factory.CreateAsync(dag, new RunId("manual__1"), _time.GetUtcNow(), RunType.Manual, "{}", default);
        _time.SetUtcNow(At("2026-03-30T00:30:00Z"));
        await factory.CreateDueRunsAsync(dag, default);

        // Local midnights: 2026-03-29 00:00 GMT = 00:00Z; 2026-03-30 00:00 BST = 2026-03-29T23:00Z.
        Assert.Equal(["2026-03-29T00:00:00Z", "2026-03-29T12:00:00Z", "2026-03-29T23:00:00Z"], await LogicalDatesAsync("daily"));
    }

    [Fact]
    public async Task PausedDag_GetsNoScheduledRuns_UntilUnpaused_ThenCatchesUp()
    {
        var dag = await RegisterAsync("hourly", "@hourly", "UTC", At("2026-01-01T00:00:00Z"), catchup: true);
        await _store.Dags.SetPausedAsync(dag.Id, true, _time.GetUtcNow(), default);
        _time.SetUtcNow(At("2026-01-01T02:30:00Z"));
        var factory = new RunFactory(_store, _time);

        Assert.Empty(await factory.CreateDueRunsAsync(dag, default));
        await _store.Dags.SetPausedAsync(dag.Id, false, _time.GetUtcNow(), default);

        Assert.Equal(3, (await factory.CreateDueRunsAsync(dag, default)).Count);
    }

    private async Task<LoadedDag> RegisterAsync(string id, string schedule, string zone, DateTimeOffset start, bool catchup)
    {
        var dag = Build(id, schedule, zone, start, catchup);
        await File.WriteAllTextAsync(dag.FilePath, "stored as the version's source");
        await DagRegistration.RegisterAsync(_store, dag, _time.GetUtcNow(), default);
        return dag;
    }

    private LoadedDag Build(string id, string schedule, string zone, DateTimeOffset? start, bool catchup)
    {
        var builder = new DagBuilder(id).Schedule(schedule).TimeZone(zone).Catchup(catchup);
        if (start is { } at)
        {
            builder.Start(at);
        }

        builder.Empty("work");
        var result = builder.TryBuild();
        Assert.Empty(result.Errors);
        return new LoadedDag(result.Dag!, result.Graph!, Path.Combine(_folder, $"{id}.json"), "v1");
    }

    private async Task<List<string>> LogicalDatesAsync(string dagId) =>
        [.. (await _store.Runs.ListAsync(new RunQuery(new DagId(dagId), Limit: 1000), default))
            .Select(r => r.LogicalDate.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture))
            .Order(StringComparer.Ordinal)];

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);
}
