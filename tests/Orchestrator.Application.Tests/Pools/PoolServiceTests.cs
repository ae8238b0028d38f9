using Microsoft.Extensions.Time.Testing;
using Orchestrator.Application.Pools;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Tests.Pools;

/// <summary>The pool use cases on a real store (each backend): validation naming the field, create or replace,
/// partial update, usage summed from task instances, and the refusals of delete.</summary>
public abstract class PoolServiceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static readonly Actor Admin = new("alice");
    private readonly FakeTimeProvider _time = new(T0);
    private ITestBackend _backend = null!;
    private IMetadataStore _store = null!;
    private PoolService _pools = null!;

    protected abstract ITestBackend Backend();

    public async Task InitializeAsync()
    {
        _backend = Backend();
        _store = await _backend.OpenAsync();
        _pools = new PoolService(_store, _time);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _backend.DropAsync();
    }

    [Fact]
    public async Task Set_CreatesThenReplaces_AndGetAndListShowIt()
    {
        var created = await _pools.SetAsync("gpu", 4, "the two A100 boxes", Admin, default);
        _time.Advance(TimeSpan.FromMinutes(1));
        var replaced = await _pools.SetAsync("gpu", 6, null, Admin, default);
        await _pools.SetAsync("api.slow-1", 0, "  ", Admin, default);

        Assert.Equal((true, false), (created.Created, replaced.Created));
        Assert.Equal(new PoolView("gpu", 4, "the two A100 boxes", T0, 0, 0, 0, 4), created.Pool);
        Assert.Equal(new PoolView("gpu", 6, null, T0.AddMinutes(1), 0, 0, 0, 6), await _pools.GetAsync("gpu", default));
        Assert.Equal(["api.slow-1:0:", "gpu:6:"], (await _pools.ListAsync(default)).Select(p => $"{p.Name}:{p.Slots}:{p.Description}"));
    }

    [Fact]
    public async Task SetSlots_KeepsTheDescription_AndCreatesAnUnknownPool()
    {
        await _pools.SetAsync("gpu", 4, "boxes", Admin, default);

        var changed = await _pools.SetSlotsAsync("gpu", 2, Admin, default);
        var fresh = await _pools.SetSlotsAsync("cpu", 8, Admin, default);

        Assert.Equal((2, "boxes", false), (changed.Pool.Slots, changed.Pool.Description, changed.Created));
        Assert.Equal((8, null, true), (fresh.Pool.Slots, fresh.Pool.Description, fresh.Created));
    }

    public static TheoryData<string, int, string?, string, string> BadSets => new()
    {
        { "", 1, null, "name", "name must be 1-64 ASCII letters, digits, '_', '-' or '.' (not dots alone), not ''" },
        { "has space", 1, null, "name", "name must be 1-64 ASCII letters" },
        { "gpü", 1, null, "name", "name must be 1-64 ASCII letters" },
        { new string('p', 65), 1, null, "name", "name must be 1-64 ASCII letters" },
        { "gpu", -1, null, "slots", "slots must be a whole number from 0 to 100,000 (0 admits nothing), not -1" },
        { "gpu", 100_001, null, "slots", "slots must be a whole number from 0 to 100,000" },
        { "gpu", 1, new string('d', 501), "description", "description must be at most 500 characters, not 501" },
        { "gpu", 1, "two\nlines", "description", "description must be one line of printable text" },
        { "gpu", 1, "a\u001b[31mred", "description", "description must be one line of printable text" },
        { "..", 1, null, "name", "name must be 1-64 ASCII letters, digits, '_', '-' or '.' (not dots alone), not '..'" },
    };

    [Theory]
    [MemberData(nameof(BadSets))]
    public async Task Set_WithABadField_IsInvalid_NamingIt_AndWritesNothing(string name, int slots, string? description, string field, string message)
    {
        var problem = await Assert.ThrowsAsync<ApplicationProblemException>(() => _pools.SetAsync(name, slots, description, Admin, default));

        Assert.Equal((ProblemKind.Invalid, field), (problem.Kind, problem.Field));
        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
        Assert.Empty(await _store.Pools.ListAsync(default));
    }

    [Fact]
    public async Task Set_AcceptsTheLimits()
    {
        await _pools.SetAsync(new string('p', 64), 100_000, new string('d', 500), Admin, default);
        await _pools.SetAsync("none", 0, null, Admin, default);

        Assert.Equal([0, 100_000], (await _pools.ListAsync(default)).Select(p => p.Slots).Order());
    }

    [Fact]
    public async Task Update_ChangesOnlyWhatIsGiven_AndAnEmptyDescriptionRemovesIt()
    {
        await _pools.SetAsync("gpu", 4, "boxes", Admin, default);
        _time.Advance(TimeSpan.FromMinutes(5));

        var slotsOnly = await _pools.UpdateAsync("gpu", 1, null, Admin, default);
        var describedOnly = await _pools.UpdateAsync("gpu", null, "racks", Admin, default);
        var cleared = await _pools.UpdateAsync("gpu", null, "", Admin, default);

        Assert.Equal((1, "boxes", T0.AddMinutes(5)), (slotsOnly.Slots, slotsOnly.Description, slotsOnly.UpdatedAt));
        Assert.Equal((1, "racks"), (describedOnly.Slots, describedOnly.Description));
        Assert.Equal((1, null), (cleared.Slots, cleared.Description));
    }

    [Fact]
    public async Task Update_OfAnUnknownPool_IsNotFound_AndOfNothing_IsInvalid_AndBadSlotsNameTheField()
    {
        await _pools.SetAsync("gpu", 4, "boxes", Admin, default);

        var unknown = await Assert.ThrowsAsync<ApplicationProblemException>(() => _pools.UpdateAsync("cpu", 2, null, Admin, default));
        var nothing = await Assert.ThrowsAsync<ApplicationProblemException>(() => _pools.UpdateAsync("gpu", null, null, Admin, default));
        var bad = await Assert.ThrowsAsync<ApplicationProblemException>(() => _pools.UpdateAsync("gpu", -3, null, Admin, default));

        Assert.Equal((ProblemKind.NotFound, "no pool 'cpu'"), (unknown.Kind, unknown.Message));
        Assert.Equal((ProblemKind.Invalid, "slots"), (nothing.Kind, nothing.Field));
        Assert.Equal((ProblemKind.Invalid, "slots"), (bad.Kind, bad.Field));
        Assert.Equal((4, "boxes"), ((await _pools.GetAsync("gpu", default)).Slots, (await _pools.GetAsync("gpu", default)).Description));
        Assert.Null(await _store.Pools.GetAsync("cpu", default));
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("not a name")]
    public async Task Get_AndDelete_OfAnUnknownPool_AreNotFound(string name)
    {
        var get = await Assert.ThrowsAsync<ApplicationProblemException>(() => _pools.GetAsync(name, default));
        var delete = await Assert.ThrowsAsync<ApplicationProblemException>(() => _pools.DeleteAsync(name, Admin, default));

        Assert.Equal((ProblemKind.NotFound, $"no pool '{name}'"), (get.Kind, get.Message));
        Assert.Equal(ProblemKind.NotFound, delete.Kind);
    }

    [Fact]
    public async Task Usage_IsSummedFromTaskInstances_InThePool_ByState()
    {
        await _pools.SetAsync("gpu", 4, null, Admin, default);
        await _pools.SetAsync("cpu", 2, null, Admin, default);
        await SeedAsync("r1", ("a", TaskInstanceState.Running, "gpu", 2), ("b", TaskInstanceState.Queued, "gpu", 1),
            ("c", TaskInstanceState.Scheduled, "gpu", 3), ("d", TaskInstanceState.Success, "gpu", 4), ("e", TaskInstanceState.Running, "cpu", 1),
            ("f", TaskInstanceState.Running, null, 1));

        var gpu = await _pools.GetAsync("gpu", default);
        var list = await _pools.ListAsync(default);

        Assert.Equal((2, 1, 3, 1), (gpu.Running, gpu.Queued, gpu.Waiting, gpu.Open));
        Assert.Equal(["cpu:1/0/0/1", "gpu:2/1/3/1"], list.Select(p => $"{p.Name}:{p.Running}/{p.Queued}/{p.Waiting}/{p.Open}"));
    }

    [Fact]
    public async Task Delete_OfAPoolInUse_IsAConflict_SayingWhatHoldsIt_AndDeletesNothing_UntilItDrains()
    {
        await _pools.SetAsync("gpu", 4, null, Admin, default);
        await SeedAsync("r1", ("a", TaskInstanceState.Running, "gpu", 2), ("b", TaskInstanceState.Scheduled, "gpu", 1));

        var problem = await Assert.ThrowsAsync<ApplicationProblemException>(() => _pools.DeleteAsync("gpu", Admin, default));

        Assert.Equal(ProblemKind.Conflict, problem.Kind);
        Assert.Equal(
            "pool 'gpu' is in use: 2 slot(s) held by running task instances, 0 by queued ones, 1 asked for by ones waiting in scheduled; " +
            "delete it when they are done (set its slots to 0 to admit no more meanwhile)", problem.Message);
        Assert.NotNull(await _store.Pools.GetAsync("gpu", default));

        await MoveAsync("r1", "a", TaskInstanceState.Running, TaskInstanceState.Success);
        await MoveAsync("r1", "b", TaskInstanceState.Scheduled, TaskInstanceState.Removed);
        await _pools.DeleteAsync("gpu", Admin, default);

        Assert.Null(await _store.Pools.GetAsync("gpu", default));
    }

    [Fact]
    public async Task List_IsPaged()
    {
        foreach (var name in new[] { "a", "b", "c" })
        {
            await _pools.SetAsync(name, 1, null, Admin, default);
        }

        var page = await _pools.ListAsync(new PageRequest(1, 1), default);

        Assert.Equal((3, 1, 1, "b"), (page.Total, page.Offset, page.Limit, Assert.Single(page.Items).Name));
    }

    private async Task SeedAsync(string runId, params (string Task, TaskInstanceState State, string? Pool, int Slots)[] tasks)
    {
        var run = new DagRunRecord(new RunId(runId), new DagId("flow"), "v1", T0, RunType.Manual, DagRunState.Running, "{}", T0);
        Assert.True(await _store.Runs.CreateAsync(run,
            [.. tasks.Select(t => new TaskInstanceRecord(run.RunId, new TaskId(t.Task), t.State, 1, 1, "default", T0, Pool: t.Pool, PoolSlots: t.Slots))], default));
    }

    private async Task MoveAsync(string runId, string task, TaskInstanceState from, TaskInstanceState to)
    {
        var instance = (await _store.TaskInstances.ListAsync(new RunId(runId), default)).Single(t => t.TaskId.Value == task);
        Assert.Equal(from, instance.State);
        Assert.True(await _store.TaskInstances.TryTransitionAsync(
            new TaskTransition(instance.RunId, instance.TaskId, from, to, "done", T0.AddMinutes(1)), default));
    }
}

public sealed class SqlitePoolServiceTests : PoolServiceTests
{
    protected override ITestBackend Backend() => new SqliteBackend();
}

public sealed class PostgresPoolServiceTests : PoolServiceTests
{
    protected override ITestBackend Backend() => new PostgresBackend();
}
