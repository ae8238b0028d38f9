using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>A group commit of many finished tries (a scheduler recording a burst of workers' reports), on every
/// backend: every try closes with its own end, outcome and error, every instance moves to its own next state (retry
/// fields included), the reports go; and one try that is not the running one refuses the whole batch, naming it.</summary>
public abstract class GroupedFinishContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly RunId Run = new("burst");

    [Fact]
    public async Task HundredsOfFinishes_EachWithItsOwnValues_CommitTogether_AndTheirReportsGo()
    {
        var tasks = await StartAllAsync(450);
        var finishes = tasks.Select((t, i) => i % 3 == 2
            ? new TryFinish(Run, t, 1, "failed", $"boom {i}", T0.AddSeconds(i), TaskInstanceState.UpForRetry, $"retry {i}", T0.AddSeconds(1_000 + i), 4)
            : new TryFinish(Run, t, 1, "success", null, T0.AddSeconds(i), TaskInstanceState.Success, $"try 1 succeeded {i}")).ToList();

        var result = await Store.ApplyAsync(new StateChangeBatch
        {
            MoreFinishedTries = finishes,
            ConsumedReports = [.. tasks.Select(t => (Run, t, 1))],
        }, default);

        Assert.True(result.Applied, result.FailedCondition);
        Assert.Empty(await Store.TryReports.ListAsync([Run], 1_000, default));
        var instances = (await Store.TaskInstances.ListAsync(Run, default)).ToDictionary(i => i.TaskId.Value);
        Assert.Equal((TaskInstanceState.Success, "try 1 succeeded 3", T0.AddSeconds(3), (DateTimeOffset?)T0.AddSeconds(3), 1),
            (instances["t003"].State, instances["t003"].StateReason, instances["t003"].UpdatedAt, instances["t003"].EndedAt, instances["t003"].MaxTries));
        Assert.Equal((TaskInstanceState.UpForRetry, "retry 5", (DateTimeOffset?)T0.AddSeconds(1_005), 4, (DateTimeOffset?)null),
            (instances["t005"].State, instances["t005"].StateReason, instances["t005"].NextTryAt, instances["t005"].MaxTries, instances["t005"].EndedAt));
        var tries = (await Store.TaskInstances.ListTriesAsync(Run, null, default)).ToDictionary(t => t.TaskId.Value);
        Assert.Equal(("failed", "boom 449", (DateTimeOffset?)T0.AddSeconds(449)), (tries["t449"].Outcome!, tries["t449"].Error!, tries["t449"].EndedAt));
        Assert.Equal(("success", (string?)null), (tries["t000"].Outcome!, tries["t000"].Error));
        Assert.All(tries.Values, t => Assert.NotNull(t.EndedAt));
    }

    [Fact]
    public async Task OneTryThatIsNotTheRunningOne_RefusesTheBatch_NamingIt_AndChangesNothing()
    {
        var tasks = await StartAllAsync(30);
        Assert.True(await Store.TaskInstances.TryFinishTryAsync(new TryFinish(Run, new TaskId("t017"), 1, "success", null, T0, TaskInstanceState.Success, "done before"), default));

        var result = await Store.ApplyAsync(new StateChangeBatch
        {
            MoreFinishedTries = [.. tasks.Select(t => new TryFinish(Run, t, 1, "success", null, T0.AddSeconds(5), TaskInstanceState.Success, "late"))],
        }, default);

        Assert.False(result.Applied);
        Assert.Equal("try 1 of 't017' is not the running try", result.FailedCondition);
        var instances = await Store.TaskInstances.ListAsync(Run, default);
        Assert.Equal(29, instances.Count(i => i.State == TaskInstanceState.Running));
        Assert.Equal(29, (await Store.TaskInstances.ListTriesAsync(Run, null, default)).Count(t => t.EndedAt is null));
    }

    /// <summary>Creates a running run of <paramref name="count"/> tasks, each running try 1 with a report waiting.</summary>
    private async Task<List<TaskId>> StartAllAsync(int count)
    {
        var tasks = Enumerable.Range(0, count).Select(i => new TaskId($"t{i:000}")).ToList();
        Assert.True(await Store.Runs.CreateAsync(new DagRunRecord(Run, new DagId("burst"), "v1", T0, RunType.Manual, DagRunState.Running, "{}", T0),
            [.. tasks.Select(t => new TaskInstanceRecord(Run, t, TaskInstanceState.Queued, 0, 1, "default", T0))], default));
        foreach (var task in tasks)
        {
            Assert.True(await Store.TaskInstances.TryStartTryAsync(new TryStart(Run, task, 1, "w1", T0, T0.AddSeconds(30)), default));
            Assert.True(await Store.TryReports.ReportAsync(new TryReport(Run, task, 1, "w1", "success", null, false, T0, T0, null, T0), default));
        }

        return tasks;
    }
}

public sealed class SqliteGroupedFinishContractTests : GroupedFinishContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-grouped-finishes-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresGroupedFinishContractTests : GroupedFinishContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
