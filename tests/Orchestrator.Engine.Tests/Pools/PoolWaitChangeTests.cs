using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Dispatch;
using Orchestrator.Engine.Runs;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Execution.Tries;
using Orchestrator.Loading;
using Orchestrator.Storage;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Engine.Tests.Pools;

/// <summary>An operator's clear and mark of a task waiting in scheduled for its pool's slots (Airflow allows both): the
/// coordinator driving the run changes it like a task not yet run, keeps its pool waits in step, and, when the pool
/// admits the task at the same moment, refuses the change without letting go of the run or of the admitted task.
/// On every store: the race is settled by the store's compare-and-set.</summary>
public abstract class PoolWaitChangeTests : IAsyncLifetime
{
    private static readonly TaskId A = new("a");
    private static readonly TaskId B = new("b");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ConcurrentQueue<(RunId Run, TaskId Task, int Try)> _dispatched = new();
    private HookedStore _store = null!;
    private RunCoordinator _coordinator = null!;
    private LoadedDag _dag = null!;
    private bool _fenced;

    protected abstract Task<IMetadataStore> OpenAsync();

    protected abstract Task DropAsync();

    public async Task InitializeAsync()
    {
        _store = new HookedStore(await OpenAsync());
        // a waits for pool gpu; b, below it, takes no pool.
        var builder = new DagBuilder("pooled");
        builder.Shell("a", "echo a").Pool("gpu").Then(builder.Empty("b"));
        var built = builder.TryBuild();
        Assert.Empty(built.Errors);
        _dag = new LoadedDag(built.Dag!, built.Graph!, "/nowhere/pooled.json", Guid.NewGuid().ToString("N"));
        var versions = new DagVersions();
        versions.Add(_dag);
        // A fence nobody holds, once the test says so: every commit of the run is refused from then on.
        _coordinator = new RunCoordinator(_store, versions, _time, NullLogger.Instance)
        {
            FenceFor = run => _fenced ? new LeaseGrant($"run/{run}", "someone-else", 1, _time.GetUtcNow(), _time.GetUtcNow().AddMinutes(1)) : null,
        };
        _coordinator.Attach(new Capture(_dispatched));
        await _store.Pools.SetAsync("gpu", 0, null, _time.GetUtcNow(), default); // nothing admitted until the test says so
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await DropAsync();
    }

    [Fact]
    public async Task MarkingAWaitingTaskSuccess_EndsItsWait_AndItsDownstreamRuns()
    {
        var run = await StartRunAsync();

        var result = await _coordinator.MarkAsync(run, A, TaskInstanceState.Success, "marked success by ada", default);

        Assert.NotNull(result);
        Assert.Null(result.Refusal);
        Assert.Equal([A], result.Changed);
        var tasks = await TasksAsync(run);
        Assert.Equal((TaskInstanceState.Success, TaskInstanceState.Queued), (tasks["a"].State, tasks["b"].State));
        Assert.Equal(["none>scheduled", "scheduled>none", "none>success"], await HistoryAsync(run, A));
        Assert.Equal([(run, B, 1)], _dispatched);
        Assert.False(_coordinator.HasPoolWaits);
        Assert.Equal((0, 0, 0), await UsageAsync());

        await RunTryAsync(run, B, 1);
        Assert.Equal(DagRunState.Success, (await _store.Runs.GetAsync(run, default))!.State);
    }

    [Fact]
    public async Task ClearingAWaitingTask_DecidesItAgain_ItWaitsAgain_AndRunsOnceAdmitted()
    {
        var run = await StartRunAsync();

        var result = await _coordinator.ClearAsync(run, A, downstream: true, "cleared by ada", default);

        Assert.Equal([A], result!.Changed);
        var a = (await TasksAsync(run))["a"];
        Assert.Equal(TaskInstanceState.Scheduled, a.State);
        Assert.Contains("waiting for a slot in pool gpu", a.StateReason, StringComparison.Ordinal);
        Assert.Equal(["none>scheduled", "scheduled>none", "none>scheduled"], await HistoryAsync(run, A));
        Assert.True(_coordinator.HasPoolWaits);
        Assert.Equal((0, 0, 1), await UsageAsync());
        Assert.Empty(_dispatched);

        await _store.Pools.SetAsync("gpu", 1, null, _time.GetUtcNow(), default);
        Assert.Equal(0, await _coordinator.DispatchAdmittedAsync(await _store.Pools.AdmitAsync("gpu", _time.GetUtcNow(), default), default));
        Assert.Equal([(run, A, 1)], _dispatched);
        await RunTryAsync(run, A, 1);
        await RunTryAsync(run, B, 1);
        Assert.Equal(DagRunState.Success, (await _store.Runs.GetAsync(run, default))!.State);
    }

    [Fact]
    public async Task AMarkLosingTheRaceWithThePool_IsRefused_TheRunStaysDriven_AndTheAdmittedTaskRuns()
    {
        var run = await StartRunAsync();
        IReadOnlyList<PoolAdmission> admitted = [];
        _store.BeforeApply = async batch =>
        {
            // The pool grows and another scheduler admits a between the coordinator's read and its commit.
            if (batch.Transitions?.Any(t => t.TaskId == A && t.From == TaskInstanceState.Scheduled) == true && admitted.Count == 0)
            {
                await _store.Pools.SetAsync("gpu", 1, null, _time.GetUtcNow(), default);
                admitted = await _store.Pools.AdmitAsync("gpu", _time.GetUtcNow(), default);
            }
        };

        var result = await _coordinator.MarkAsync(run, A, TaskInstanceState.Success, "marked success by ada", default);

        Assert.Single(admitted);
        Assert.Empty(result!.Changed);
        Assert.Equal("task 'a' is queued; wait until it ends (a task in progress cannot be cleared or marked)", result.Refusal); // decided again on what won
        Assert.True(_coordinator.IsActive(run));
        Assert.Equal((0, 1, 0), await UsageAsync());
        Assert.Equal(0, await _coordinator.DispatchAdmittedAsync(admitted, default)); // still waiting here: dispatched once
        Assert.Equal([(run, A, 1)], _dispatched);

        // The live tracker was never touched: the run goes on as if the mark had not been asked for.
        await RunTryAsync(run, A, 1);
        await RunTryAsync(run, B, 1);
        Assert.Equal(DagRunState.Success, (await _store.Runs.GetAsync(run, default))!.State);
    }

    [Fact]
    public async Task AChangeTheStoreKeepsRefusing_IsRefusedAfterOneMoreTry_AndChangesNothing()
    {
        var run = await StartRunAsync();
        _fenced = true; // this coordinator lost the run's lease: every commit of it is refused

        var result = await _coordinator.ClearAsync(run, A, downstream: false, "cleared by ada", default);

        Assert.Empty(result!.Changed);
        Assert.StartsWith($"run {run} changed while its task 'a' was being changed (", result.Refusal, StringComparison.Ordinal);
        Assert.EndsWith("); nothing was changed: look at it again and retry", result.Refusal, StringComparison.Ordinal);
        Assert.Equal(["none>scheduled"], await HistoryAsync(run, A));
        Assert.True(_coordinator.IsActive(run)); // letting the run go is the lease renewal's decision, not this change's
        Assert.True(_coordinator.HasPoolWaits);
    }

    private async Task<RunId> StartRunAsync()
    {
        var run = new RunId($"manual__{Guid.NewGuid():N}");
        Assert.True(await new RunFactory(_store, _time).CreateAsync(_dag, run, _time.GetUtcNow(), RunType.Manual, "{}", default));
        Assert.True(await _coordinator.StartAsync(run, default));
        Assert.Equal(TaskInstanceState.Scheduled, (await TasksAsync(run))["a"].State);
        Assert.True(_coordinator.HasPoolWaits);
        Assert.Equal((0, 0, 1), await UsageAsync());
        return run;
    }

    /// <summary>Runs a dispatched try to success as a worker would: started in the store, then handed over.</summary>
    private async Task RunTryAsync(RunId run, TaskId task, int tryNumber)
    {
        _time.Advance(TimeSpan.FromSeconds(1));
        var now = _time.GetUtcNow();
        Assert.True(await _store.TaskInstances.TryStartTryAsync(new TryStart(run, task, tryNumber, null, now), default));
        await _coordinator.CompleteAsync(run, task, new TryRecord(task, tryNumber, now, now, TryOutcome.Success, null, null, []));
    }

    private async Task<Dictionary<string, TaskInstanceRecord>> TasksAsync(RunId run) =>
        (await _store.TaskInstances.ListAsync(run, default)).ToDictionary(t => t.TaskId.Value);

    private async Task<string[]> HistoryAsync(RunId run, TaskId task) =>
        [.. (await _store.TaskInstances.HistoryAsync(run, task, default)).Select(h => $"{h.From.ToName()}>{h.To.ToName()}")];

    private async Task<(int Running, int Queued, int Waiting)> UsageAsync() =>
        await _store.Pools.GetAsync("gpu", default) is { } pool ? (pool.Running, pool.Queued, pool.Waiting) : throw new InvalidOperationException("no pool gpu");

    private sealed class Capture(ConcurrentQueue<(RunId, TaskId, int)> items) : ITaskDispatcher
    {
        public void Enqueue(RunId runId, TaskId taskId, int tryNumber, string queue) => items.Enqueue((runId, taskId, tryNumber));
    }
}

public sealed class SqlitePoolWaitChangeTests : PoolWaitChangeTests
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-pool-wait-").FullName;

    protected override async Task<IMetadataStore> OpenAsync() =>
        await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), TimeProvider.System, default);

    protected override Task DropAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

public sealed class PostgresPoolWaitChangeTests : PoolWaitChangeTests
{
    private readonly string _schema = $"test_{Guid.NewGuid():N}";

    private static string ConnectionString =>
        Environment.GetEnvironmentVariable("ORCHESTRATOR_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "ORCHESTRATOR_TEST_POSTGRES is not set: run the tests with ./eng/test.sh, which installs and starts PostgreSQL 15 on a free loopback port");

    protected override async Task<IMetadataStore> OpenAsync() =>
        await SqlMetadataStore.OpenAsync(new PostgresDatabase(ConnectionString, _schema), TimeProvider.System, default);

    protected override async Task DropAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
