using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>The dashboard's bulk reads: run pages with totals, states of many runs at once, recent runs per DAG.</summary>
public abstract class DashboardReadStoreContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task PageRuns_IsNewestFirst_WithTheTotalOfTheFilter()
    {
        await RunAsync("a1", "a", 0, DagRunState.Success);
        await RunAsync("a2", "a", 1, DagRunState.Failed);
        await RunAsync("a3", "a", 2, DagRunState.Success);
        await RunAsync("b1", "b", 5, DagRunState.Success);

        var page = await Store.Dashboard.PageRunsAsync(new RunPageQuery(new DagId("a"), null, 1, 1), default);
        Assert.Equal(3, page.Total);
        Assert.Equal(["a2"], page.Runs.Select(r => r.RunId.Value));
        var successes = await Store.Dashboard.PageRunsAsync(new RunPageQuery(null, DagRunState.Success, 0, 10), default);
        Assert.Equal(3, successes.Total);
        Assert.Equal(["b1", "a3", "a1"], successes.Runs.Select(r => r.RunId.Value));
        Assert.Empty((await Store.Dashboard.PageRunsAsync(new RunPageQuery(null, null, 10, 10), default)).Runs);
    }

    [Fact]
    public async Task TaskStates_CoverExactlyTheGivenRuns()
    {
        await RunAsync("a1", "a", 0, DagRunState.Success);
        await RunAsync("a2", "a", 1, DagRunState.Success);
        await RunAsync("a3", "a", 2, DagRunState.Success);

        var states = await Store.Dashboard.TaskStatesAsync([new RunId("a1"), new RunId("a3")], default);
        Assert.Equal(["a1/x:success", "a1/y:skipped", "a3/x:success", "a3/y:skipped"],
            states.Select(s => $"{s.RunId}/{s.TaskId}:{s.State.ToName()}").Order(StringComparer.Ordinal));
        Assert.Empty(await Store.Dashboard.TaskStatesAsync([], default));
    }

    [Fact]
    public async Task TaskStates_ComeBackExactly_ForEveryStateAndIdCharacter_AcrossManyTasks()
    {
        var all = Enum.GetValues<TaskInstanceState>();
        var expected = new List<string>();
        foreach (var runId in new[] { "run.1-a_b", "run.2" })
        {
            var run = new DagRunRecord(new RunId(runId), new DagId("big"), "v1", T0.AddDays(expected.Count), RunType.Manual, DagRunState.Running, "{}", T0);
            // 1,000 tasks, ids using every character an id may hold, each state many times.
            var tasks = Enumerable.Range(0, 1000).Select(t => new TaskInstanceRecord(run.RunId, new TaskId($"Task_{t}.x-{t % 3}"), all[t % all.Length], 0, 1, "default", T0)).ToList();
            Assert.True(await Store.Runs.CreateAsync(run, tasks, default));
            expected.AddRange(tasks.Select(t => $"{t.RunId}/{t.TaskId}:{t.State.ToName()}"));
        }

        var states = await Store.Dashboard.TaskStatesAsync([new RunId("run.1-a_b"), new RunId("run.2"), new RunId("absent")], default);

        Assert.Equal(expected.Order(StringComparer.Ordinal), states.Select(s => $"{s.RunId}/{s.TaskId}:{s.State.ToName()}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RecentRuns_AreTheNewestNOfEachGivenDag()
    {
        for (var i = 0; i < 4; i++)
        {
            await RunAsync($"a{i}", "a", i, DagRunState.Success);
            await RunAsync($"b{i}", "b", i, DagRunState.Success);
            await RunAsync($"c{i}", "c", i, DagRunState.Success);
        }

        var recent = await Store.Dashboard.RecentRunsAsync([new DagId("a"), new DagId("b")], 2, default);
        Assert.Equal(["a3", "a2", "b3", "b2"], recent.Select(r => r.RunId.Value));
    }

    private async Task RunAsync(string runId, string dagId, int day, DagRunState state)
    {
        var run = new DagRunRecord(new RunId(runId), new DagId(dagId), "v1", T0.AddDays(day), RunType.Manual, state, "{}", T0);
        Assert.True(await Store.Runs.CreateAsync(run,
        [
            new TaskInstanceRecord(run.RunId, new TaskId("x"), TaskInstanceState.Success, 1, 1, "default", T0),
            new TaskInstanceRecord(run.RunId, new TaskId("y"), TaskInstanceState.Skipped, 0, 1, "default", T0),
        ], default));
    }
}

public sealed class SqliteDashboardReadStoreContractTests : DashboardReadStoreContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-dashboard-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresDashboardReadStoreContractTests : DashboardReadStoreContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
