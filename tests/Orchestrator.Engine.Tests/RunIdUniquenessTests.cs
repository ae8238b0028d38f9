using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Loading;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Engine.Tests;

/// <summary>Run ids and logical dates stay unique however triggers collide in time: on a clock frozen at one
/// instant, across DAGs on the same schedule, and against a scheduled run at the same instant.</summary>
public sealed class RunIdUniquenessTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-runids-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-01-01T06:00:00.0004567Z", System.Globalization.CultureInfo.InvariantCulture));
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
    public async Task ManyTriggers_InTheSameInstant_AreAllCreated_WithDistinctIdsAndLogicalDates()
    {
        var dag = await RegisterAsync("etl", schedule: null);
        var factories = Enumerable.Range(0, 4).Select(_ => new RunFactory(_store, _time)).ToList();

        var created = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(() => factories[i % 4].CreateManualAsync(dag, "{}", default))));

        var runs = await _store.Runs.ListAsync(new RunQuery(dag.Id, Limit: 1000), default);
        Assert.Equal(60, runs.Count);
        Assert.Equal(60, created.Select(c => c.RunId).Distinct().Count());
        Assert.Equal(60, runs.Select(r => r.LogicalDate).Distinct().Count());
        Assert.Equal(created.Select(c => c.RunId.Value).Order(StringComparer.Ordinal), runs.Select(r => r.RunId.Value).Order(StringComparer.Ordinal));
        // The first takes the instant itself (to the store's millisecond); the others the next free milliseconds.
        Assert.Equal(Enumerable.Range(0, 60).Select(ms => _time.GetUtcNow().AddTicks(-4567).AddMilliseconds(ms)), runs.Select(r => r.LogicalDate).Order());
        Assert.Contains(new RunId("manual__2026-01-01T06:00:00.000+00:00__etl"), created.Select(c => c.RunId));
    }

    [Fact]
    public async Task ManualTrigger_AtAScheduledRunsInstant_GetsTheNextMillisecond()
    {
        var dag = await RegisterAsync("hourly", "@hourly");
        var factory = new RunFactory(_store, _time);
        _time.SetUtcNow(DateTimeOffset.Parse("2026-01-01T07:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

        var scheduled = await factory.CreateDueRunsAsync(dag, default);
        var (manual, logicalDate) = await factory.CreateManualAsync(dag, "{}", default);

        Assert.Equal(["scheduled__2026-01-01T07:00:00+00:00__hourly"], scheduled.Select(id => id.Value));
        Assert.Equal("manual__2026-01-01T07:00:00.001+00:00__hourly", manual.Value);
        Assert.Equal(_time.GetUtcNow().AddMilliseconds(1), logicalDate);
    }

    [Fact]
    public async Task TwoDags_OnTheSameSchedule_BothGetTheirRuns()
    {
        var first = await RegisterAsync("first", "@hourly");
        var second = await RegisterAsync("second", "@hourly");
        var factory = new RunFactory(_store, _time);

        var a = await factory.CreateDueRunsAsync(first, default);
        var b = await factory.CreateDueRunsAsync(second, default);
        var (manualA, _) = await factory.CreateManualAsync(first, "{}", default);
        var (manualB, _) = await factory.CreateManualAsync(second, "{}", default);

        Assert.Single(a);
        Assert.Single(b);
        Assert.NotEqual(a[0], b[0]);
        Assert.NotEqual(manualA, manualB);
        Assert.Equal(2, (await _store.Runs.ListAsync(new RunQuery(second.Id, Limit: 10), default)).Count);
    }

    private async Task<LoadedDag> RegisterAsync(string id, string? schedule)
    {
        var builder = new DagBuilder(id).Catchup(false).Start(DateTimeOffset.Parse("2025-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        if (schedule is not null)
        {
            builder.Schedule(schedule);
        }

        builder.Empty("work");
        var result = builder.TryBuild();
        Assert.Empty(result.Errors);
        var dag = new LoadedDag(result.Dag!, result.Graph!, Path.Combine(_folder, $"{id}.json"), "v1");
        await File.WriteAllTextAsync(dag.FilePath, "stored as the version's source");
        await DagRegistration.RegisterAsync(_store, dag, _time.GetUtcNow(), default);
        return dag;
    }
}
