using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>The store-wide counts behind /metrics and /health: runs and task instances by state, active DAGs and
/// import errors, read in one query on every backend.</summary>
public abstract class StateCountContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 2, 1, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task EmptyStore_CountsNothing()
    {
        var counts = await Store.Counts.CountAsync(default);

        Assert.Empty(counts.Runs);
        Assert.Empty(counts.TaskInstances);
        Assert.Equal((0L, 0L), (counts.ActiveDags, counts.ImportErrors));
    }

    [Fact]
    public async Task SeededStore_CountsRunsAndTasksByState_ActiveDags_AndImportErrors()
    {
        foreach (var dag in new[] { "etl", "report", "gone" })
        {
            await Store.Dags.UpsertAsync(new DagVersionRecord(new DagId(dag), "v1", $"/dags/{dag}.json", "{}", T0), null, default);
        }

        await Store.Dags.MarkActiveAsync([new DagId("etl"), new DagId("report")], T0, default);
        await Store.Dags.ReplaceImportErrorsAsync("/dags/bad.json",
            [new ImportErrorRecord("/dags/bad.json", "unexpected token", 1, 2, T0), new ImportErrorRecord("/dags/bad.json", "no id", null, null, T0)], default);
        var running = await CreateRunAsync("r1", "a", "b", "c");
        Assert.True(await Store.Runs.TryTransitionAsync(new RunTransition(running, DagRunState.Queued, DagRunState.Running, T0), default));
        await MoveAsync(running, "a", TaskInstanceState.Scheduled, TaskInstanceState.Queued);
        await MoveAsync(running, "b", TaskInstanceState.Scheduled);
        await CreateRunAsync("r2", "a");
        await CreateRunAsync("r3", "a");

        var counts = await Store.Counts.CountAsync(default);

        Assert.Equal(new Dictionary<DagRunState, long> { [DagRunState.Running] = 1, [DagRunState.Queued] = 2 }, counts.Runs);
        Assert.Equal(new Dictionary<TaskInstanceState, long>
        {
            [TaskInstanceState.Queued] = 1, [TaskInstanceState.Scheduled] = 1, [TaskInstanceState.None] = 3,
        }, counts.TaskInstances);
        Assert.Equal((2L, 2L), (counts.ActiveDags, counts.ImportErrors));
    }

    private async Task<RunId> CreateRunAsync(string id, params string[] tasks)
    {
        var runId = new RunId(id);
        Assert.True(await Store.Runs.CreateAsync(
            new DagRunRecord(runId, new DagId("etl"), "v1", T0.AddMinutes(int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture)) /* one logical date per run */, RunType.Manual, DagRunState.Queued, "{}", T0),
            [.. tasks.Select(t => new TaskInstanceRecord(runId, new TaskId(t), TaskInstanceState.None, 0, 1, "default", T0))],
            default));
        return runId;
    }

    private async Task MoveAsync(RunId runId, string task, params TaskInstanceState[] path)
    {
        var from = TaskInstanceState.None;
        foreach (var to in path)
        {
            Assert.True(await Store.TaskInstances.TryTransitionAsync(new TaskTransition(runId, new TaskId(task), from, to, "test", T0), default));
            from = to;
        }
    }
}

public sealed class SqliteStateCountContractTests : StateCountContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-counts-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresStateCountContractTests : StateCountContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
