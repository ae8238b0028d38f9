using Orchestrator.Core.Model;
using Orchestrator.Core.States;

namespace Orchestrator.Application.Tests.Queries.Dags;

/// <summary>The grid: the latest version's tasks upstream first, the newest runs oldest first, and a null cell where a
/// run (of an older version) has no such task.</summary>
public abstract class GridTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DagId Etl = new("etl");

    protected abstract ITestBackend Backend();

    [Fact]
    public async Task RunsOldestFirst_TasksInTopologicalOrder_AndNullForTasksAbsentInARunsVersion()
    {
        await using var host = await QueryHost.StartAsync(Backend());
        var v1 = await host.RegisterAsync("""{ "id": "etl", "tasks": [ { "id": "load", "type": "empty", "dependsOn": ["extract"] }, { "id": "extract", "type": "empty" } ] }""");
        // v2 declares its sink first and adds "check" between: the columns still go upstream → downstream.
        var v2 = await host.RegisterAsync("""
            { "id": "etl", "tasks": [
              { "id": "report", "type": "empty", "dependsOn": ["check", "load"] },
              { "id": "load", "type": "empty", "dependsOn": ["extract"] },
              { "id": "check", "type": "empty", "dependsOn": ["extract"] },
              { "id": "extract", "type": "empty" } ] }
            """);
        Assert.NotEqual(v1.Version, v2.Version);
        await host.RunAsync(v2, "newest", Day1.AddDays(2), States(("extract", TaskInstanceState.Success), ("load", TaskInstanceState.Running), ("check", TaskInstanceState.Queued), ("report", TaskInstanceState.None)));
        await host.RunAsync(v1, "oldest", Day1, States(("extract", TaskInstanceState.Success), ("load", TaskInstanceState.Failed)));
        await host.RunAsync(v1, "middle", Day1.AddDays(1), States(("extract", TaskInstanceState.UpstreamFailed), ("load", TaskInstanceState.Skipped)));

        var grid = await host.Views.GridAsync(Etl, null, default);

        Assert.Equal("etl", grid.DagId);
        Assert.Equal(["extract", "load", "check", "report"], grid.Tasks);
        Assert.Equal(["oldest", "middle", "newest"], grid.Runs.Select(r => r.RunId));
        Assert.Equal(["success", "failed", null, null], grid.States[0]);
        Assert.Equal(["upstream_failed", "skipped", null, null], grid.States[1]);
        Assert.Equal(["success", "running", "queued", "none"], grid.States[2]);
    }

    [Fact]
    public async Task TheLimit_KeepsTheNewestRuns_StillOldestFirst_AndIsChecked()
    {
        await using var host = await QueryHost.StartAsync(Backend());
        var dag = await host.RegisterAsync("""{ "id": "etl", "tasks": [ { "id": "a", "type": "empty" } ] }""");
        for (var day = 0; day < 5; day++)
        {
            await host.RunAsync(dag, $"r{day}", Day1.AddDays(day), States(("a", TaskInstanceState.Success)));
        }

        var grid = await host.Views.GridAsync(Etl, 2, default);

        Assert.Equal(["r3", "r4"], grid.Runs.Select(r => r.RunId));
        Assert.Equal(2, grid.States.Count);
        foreach (var bad in new[] { 0, -1, 101 })
        {
            var problem = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Views.GridAsync(Etl, bad, default));
            Assert.Equal((ProblemKind.Invalid, "limit"), (problem.Kind, problem.Field));
        }

        Assert.Equal(5, (await host.Views.GridAsync(Etl, 100, default)).Runs.Count);
    }

    [Fact]
    public async Task ADagThatNeverRan_HasColumnsAndNoRows_AndAnUnknownDagIsNotFound()
    {
        await using var host = await QueryHost.StartAsync(Backend());
        await host.RegisterAsync("""{ "id": "etl", "tasks": [ { "id": "b", "type": "empty", "dependsOn": ["a"] }, { "id": "a", "type": "empty" } ] }""");

        var grid = await host.Views.GridAsync(Etl, null, default);
        var unknown = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Views.GridAsync(new DagId("nope"), null, default));

        Assert.Equal(("a b", 0, 0), (string.Join(" ", grid.Tasks), grid.Runs.Count, grid.States.Count));
        Assert.Equal(ProblemKind.NotFound, unknown.Kind);
    }

    [Fact]
    public async Task TheGraph_OfARun_DrawsItsOwnVersion_WithItsStates()
    {
        await using var host = await QueryHost.StartAsync(Backend());
        var v1 = await host.RegisterAsync("""{ "id": "etl", "tasks": [ { "id": "a", "type": "empty" }, { "id": "b", "type": "empty", "dependsOn": ["a"] } ] }""");
        await host.RunAsync(v1, "old", Day1, States(("a", TaskInstanceState.Success), ("b", TaskInstanceState.Failed)));
        await host.RegisterAsync("""{ "id": "etl", "tasks": [ { "id": "a", "type": "empty" }, { "id": "c", "type": "empty", "dependsOn": ["a"] } ] }""");

        var old = await host.Views.GraphAsync(Etl, new RunId("old"), default);
        var latest = await host.Views.GraphAsync(Etl, null, default); // the latest run is "old": its version is drawn

        Assert.Equal(v1.Version, old.Version);
        Assert.Equal(["a:success", "b:failed"], old.Nodes.Select(n => $"{n.TaskId}:{n.State}"));
        Assert.Equal(["a:success", "b:failed"], latest.Nodes.Select(n => $"{n.TaskId}:{n.State}"));
        var problem = await Assert.ThrowsAsync<ApplicationProblemException>(() => host.Views.GraphAsync(Etl, new RunId("nope"), default));
        Assert.Equal(ProblemKind.NotFound, problem.Kind);
    }

    private static Dictionary<string, TaskInstanceState> States(params (string Task, TaskInstanceState State)[] states) =>
        states.ToDictionary(s => s.Task, s => s.State, StringComparer.Ordinal);
}

public sealed class SqliteGridTests : GridTests
{
    protected override ITestBackend Backend() => new SqliteBackend();
}

public sealed class PostgresGridTests : GridTests
{
    protected override ITestBackend Backend() => new PostgresBackend();
}
