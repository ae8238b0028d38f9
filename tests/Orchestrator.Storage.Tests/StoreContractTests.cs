using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>What every metadata store must do. Each backend runs this suite on a real database, fresh per test.</summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 3, 0, 0, TimeSpan.Zero);

    protected IMetadataStore Store { get; private set; } = null!;

    /// <summary>Opens the store at this test's location (the same location each time it is called).</summary>
    protected abstract Task<IMetadataStore> OpenAsync();

    protected virtual Task DropAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => Store = await OpenAsync();

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await DropAsync();
    }

    [Fact]
    public async Task CreatedRun_CanBeReadBack_WithItsTaskInstances()
    {
        await CreateRunAsync("r1", "etl", T0, "extract", "load");

        var run = await Store.Runs.GetAsync(new RunId("r1"), default);
        var tasks = await Store.TaskInstances.ListAsync(new RunId("r1"), default);

        Assert.Equal(new DagRunRecord(new RunId("r1"), new DagId("etl"), "v1", T0, RunType.Manual, DagRunState.Queued, """{"a":1}""", T0), run);
        Assert.Equal(["extract", "load"], tasks.Select(t => t.TaskId.Value));
        Assert.All(tasks, t => Assert.Equal((TaskInstanceState.None, 0, 3, "default"), (t.State, t.TryNumber, t.MaxTries, t.Queue)));
    }

    [Fact]
    public async Task ARunOfHundredsOfTasks_IsStoredWhole_EveryFieldOfEveryTask()
    {
        var run = new RunId("wide");
        var tasks = Enumerable.Range(0, 457).Select(i => new TaskInstanceRecord(run, new TaskId($"t{i:D3}"),
            i % 3 == 0 ? TaskInstanceState.None : TaskInstanceState.Scheduled, i % 4, 3 + (i % 5), i % 2 == 0 ? "default" : "training",
            T0.AddMilliseconds(i), i % 7 == 0 ? null : $"reason {i}", i % 11 == 0 ? T0.AddSeconds(i) : null, null, null,
            i % 6 == 0 ? "gpu" : null, 1 + (i % 3), i - 200)).ToList();

        Assert.True(await Store.Runs.CreateAsync(new DagRunRecord(run, new DagId("wide"), "v1", T0, RunType.Manual, DagRunState.Queued, "{}", T0), tasks, default));

        Assert.Equal(tasks, await Store.TaskInstances.ListAsync(run, default)); // listed by task id, as created
    }

    [Fact]
    public async Task SecondRun_ForTheSameDagAndLogicalDate_IsRefused_AndWritesNothing()
    {
        Assert.True(await CreateRunAsync("r1", "etl", T0, "a"));

        Assert.False(await CreateRunAsync("r2", "etl", T0, "a"));
        Assert.False(await CreateRunAsync("r1", "other", T0.AddDays(1), "a")); // same run id
        Assert.Null(await Store.Runs.GetAsync(new RunId("r2"), default));
        Assert.True(await CreateRunAsync("r3", "other", T0, "a")); // another DAG may use that date
    }

    [Fact]
    public async Task Runs_AreListedNewestFirst_AndFiltered()
    {
        await CreateRunAsync("old", "etl", T0, "a");
        await CreateRunAsync("new", "etl", T0.AddDays(1), "a");
        await CreateRunAsync("else", "ml", T0.AddDays(2), "a");
        await Store.Runs.TryTransitionAsync(new RunTransition(new RunId("old"), DagRunState.Queued, DagRunState.Running, T0), default);

        Assert.Equal(["else", "new", "old"], (await Store.Runs.ListAsync(new RunQuery(), default)).Select(r => r.RunId.Value));
        Assert.Equal(["new", "old"], (await Store.Runs.ListAsync(new RunQuery(new DagId("etl")), default)).Select(r => r.RunId.Value));
        Assert.Empty(await Store.Runs.ListAsync(new RunQuery(Type: RunType.Scheduled), default));
        Assert.Equal(3, (await Store.Runs.ListAsync(new RunQuery(Type: RunType.Manual), default)).Count);
        Assert.Equal(["old"], (await Store.Runs.ListAsync(new RunQuery(State: DagRunState.Running), default)).Select(r => r.RunId.Value));
        Assert.Single(await Store.Runs.ListAsync(new RunQuery(Limit: 1), default));
        Assert.Equal(2, await Store.Runs.CountActiveAsync(new DagId("etl"), default));
    }

    [Fact]
    public async Task RunState_IsCompareAndSet_AndStampsStartAndEnd()
    {
        await CreateRunAsync("r1", "etl", T0, "a");
        var id = new RunId("r1");

        Assert.True(await Store.Runs.TryTransitionAsync(new RunTransition(id, DagRunState.Queued, DagRunState.Running, T0.AddMinutes(1)), default));
        Assert.False(await Store.Runs.TryTransitionAsync(new RunTransition(id, DagRunState.Queued, DagRunState.Running, T0.AddMinutes(2)), default));
        Assert.True(await Store.Runs.TryTransitionAsync(new RunTransition(id, DagRunState.Running, DagRunState.Success, T0.AddMinutes(3)), default));

        var run = await Store.Runs.GetAsync(id, default);
        Assert.Equal((DagRunState.Success, T0.AddMinutes(1), T0.AddMinutes(3)), (run!.State, run.StartedAt, run.EndedAt));
    }

    [Fact]
    public async Task TaskTransition_WithAStaleExpectedState_ChangesNothing()
    {
        await CreateRunAsync("r1", "etl", T0, "a");

        Assert.True(await Transition("a", TaskInstanceState.None, TaskInstanceState.Scheduled, "trigger rule met"));
        Assert.False(await Transition("a", TaskInstanceState.None, TaskInstanceState.Skipped, "late decision"));

        var task = Assert.Single(await Store.TaskInstances.ListAsync(new RunId("r1"), default));
        Assert.Equal((TaskInstanceState.Scheduled, "trigger rule met"), (task.State, task.StateReason));
        var change = Assert.Single(await Store.TaskInstances.HistoryAsync(new RunId("r1"), null, default));
        Assert.Equal((TaskInstanceState.None, TaskInstanceState.Scheduled, "trigger rule met", T0), (change.From, change.To, change.Reason, change.At));
    }

    [Fact]
    public async Task ImpossibleTransition_IsRefusedLoudly()
    {
        await CreateRunAsync("r1", "etl", T0, "a");

        await Assert.ThrowsAsync<InvalidOperationException>(() => Transition("a", TaskInstanceState.None, TaskInstanceState.Running, "?"));
    }

    [Fact]
    public async Task ATry_StartsOnce_AndFinishesOnce()
    {
        await QueueAsync("a");
        var start = new TryStart(new RunId("r1"), new TaskId("a"), 1, "worker-1", T0.AddSeconds(1));
        var finish = new TryFinish(new RunId("r1"), new TaskId("a"), 1, "success", null, T0.AddSeconds(3), TaskInstanceState.Success, "try 1 succeeded");

        Assert.True(await Store.TaskInstances.TryStartTryAsync(start, default));
        Assert.False(await Store.TaskInstances.TryStartTryAsync(start with { WorkerId = "worker-2" }, default));
        Assert.True(await Store.TaskInstances.TryFinishTryAsync(finish, default));
        Assert.False(await Store.TaskInstances.TryFinishTryAsync(finish with { Outcome = "failed", NextState = TaskInstanceState.Failed }, default));

        var attempt = Assert.Single(await Store.TaskInstances.ListTriesAsync(new RunId("r1"), new TaskId("a"), default));
        Assert.Equal(("worker-1", "success", 2000L, T0.AddSeconds(3)), (attempt.WorkerId, attempt.Outcome, attempt.DurationMs, attempt.EndedAt));
        var task = Assert.Single(await Store.TaskInstances.ListAsync(new RunId("r1"), default));
        Assert.Equal((TaskInstanceState.Success, 1, T0.AddSeconds(1), T0.AddSeconds(3)), (task.State, task.TryNumber, task.StartedAt, task.EndedAt));
    }

    [Fact]
    public async Task UpForRetry_CarriesTheNextTryTime_AndTheNextTryIsANewRow()
    {
        await QueueAsync("a");
        var run = new RunId("r1");
        var a = new TaskId("a");
        await Store.TaskInstances.TryStartTryAsync(new TryStart(run, a, 1, null, T0), default);
        await Store.TaskInstances.TryFinishTryAsync(new TryFinish(run, a, 1, "failed", "exit 1", T0.AddSeconds(1), TaskInstanceState.UpForRetry, "retry in 10s", T0.AddSeconds(11)), default);

        var waiting = Assert.Single(await Store.TaskInstances.ListAsync(run, default));
        Assert.Equal((TaskInstanceState.UpForRetry, T0.AddSeconds(11)), (waiting.State, waiting.NextTryAt));

        Assert.True(await Transition("a", TaskInstanceState.UpForRetry, TaskInstanceState.Queued, "retry due"));
        Assert.True(await Store.TaskInstances.TryStartTryAsync(new TryStart(run, a, 2, null, T0.AddSeconds(11)), default));
        Assert.False(await Store.TaskInstances.TryStartTryAsync(new TryStart(run, a, 1, null, T0.AddSeconds(12)), default)); // an old try cannot come back
        Assert.Equal([1, 2], (await Store.TaskInstances.ListTriesAsync(run, a, default)).Select(t => t.TryNumber));
    }

    [Fact]
    public async Task Batch_IsAllOrNothing()
    {
        await QueueAsync("a", "b", "c");
        var run = new RunId("r1");
        await Store.TaskInstances.TryStartTryAsync(new TryStart(run, new TaskId("a"), 1, null, T0), default);
        var finish = new TryFinish(run, new TaskId("a"), 1, "success", null, T0.AddSeconds(1), TaskInstanceState.Success, "done");
        var output = (run, new TaskId("a"), """{"rows":42}""");

        // "c" is queued, not none: its transition fails, so the finish and the output must not be written either.
        var failed = await Store.ApplyAsync(new StateChangeBatch(finish, output,
            [new TaskTransition(run, new TaskId("c"), TaskInstanceState.None, TaskInstanceState.Scheduled, "met", T0)]), default);

        Assert.False(failed.Applied);
        Assert.Equal("task 'c' is no longer none", failed.FailedCondition);
        Assert.Equal(TaskInstanceState.Running, (await Store.TaskInstances.ListAsync(run, default)).Single(t => t.TaskId.Value == "a").State);
        Assert.Empty(await Store.Outputs.GetAllAsync(run, default));

        var applied = await Store.ApplyAsync(new StateChangeBatch(finish, output,
            [new TaskTransition(run, new TaskId("b"), TaskInstanceState.Queued, TaskInstanceState.Running, "picked up", T0)],
            new RunTransition(run, DagRunState.Queued, DagRunState.Running, T0)), default);

        Assert.True(applied.Applied);
        Assert.Equal("""{"rows":42}""", (await Store.Outputs.GetAllAsync(run, default))[new TaskId("a")]);
        Assert.Equal(DagRunState.Running, (await Store.Runs.GetAsync(run, default))!.State);
    }

    [Fact]
    public async Task Logs_AreKeptPerTry_InOrder()
    {
        await CreateRunAsync("r1", "etl", T0, "a");
        var run = new RunId("r1");
        var a = new TaskId("a");
        await Store.Logs.AppendAsync(run, a, 1, [new StoredLogLine(T0, "stdout", "first"), new StoredLogLine(T0, "stderr", "second")], default);
        await Store.Logs.AppendAsync(run, a, 2, [new StoredLogLine(T0.AddSeconds(1), "info", "retry")], default);
        await Store.Logs.AppendAsync(run, a, 1, [new StoredLogLine(T0.AddSeconds(2), "error", "third")], default);

        Assert.Equal(["first", "second", "third"], (await Store.Logs.ReadAsync(run, a, 1, default)).Select(l => l.Message));
        Assert.Equal(new StoredLogLine(T0.AddSeconds(1), "info", "retry"), Assert.Single(await Store.Logs.ReadAsync(run, a, 2, default)));
    }

    [Fact]
    public async Task Dags_AreUpsertedIdempotently_AndKeepTheirPausedFlag()
    {
        var etl = new DagId("etl");
        await Store.Dags.UpsertAsync(new DagVersionRecord(etl, "v1", "dags/etl.json", "{}", T0), "@daily", default);
        await Store.Dags.UpsertAsync(new DagVersionRecord(etl, "v1", "dags/etl.json", "{}", T0), "@daily", default);
        Assert.True(await Store.Dags.SetPausedAsync(etl, true, T0, default));
        await Store.Dags.UpsertAsync(new DagVersionRecord(etl, "v2", "dags/etl.json", "{ }", T0.AddHours(1)), "@hourly", default);

        var dag = await Store.Dags.GetAsync(etl, default);
        Assert.Equal(("v2", "@hourly", true, true), (dag!.LatestVersion, dag.Schedule, dag.IsPaused, dag.IsActive));
        Assert.Equal("{}", (await Store.Dags.GetVersionAsync(etl, "v1", default))!.Source); // the old version stays readable
        Assert.False(await Store.Dags.SetPausedAsync(new DagId("nope"), true, T0, default));

        await Store.Dags.MarkActiveAsync([], T0, default);
        Assert.False((await Store.Dags.GetAsync(etl, default))!.IsActive);
        Assert.Single(await Store.Dags.ListAsync(default));
    }

    [Fact]
    public async Task ImportErrors_AreReplacedPerFile()
    {
        await Store.Dags.ReplaceImportErrorsAsync("a.json", [new ImportErrorRecord("a.json", "bad", 3, 4, T0), new ImportErrorRecord("a.json", "worse", null, null, T0)], default);
        await Store.Dags.ReplaceImportErrorsAsync("b.cs", [new ImportErrorRecord("b.cs", "CS1002", 1, 1, T0)], default);
        await Store.Dags.ReplaceImportErrorsAsync("a.json", [new ImportErrorRecord("a.json", "fixed one", 5, null, T0)], default);

        var errors = await Store.Dags.ListImportErrorsAsync(default);

        Assert.Equal([("a.json", "fixed one", (int?)5), ("b.cs", "CS1002", 1)], errors.Select(e => (e.FilePath, e.Message, e.Line)));
    }

    [Fact]
    public async Task EverythingRecorded_SurvivesReopening()
    {
        await QueueAsync("a");
        await Store.TaskInstances.TryStartTryAsync(new TryStart(new RunId("r1"), new TaskId("a"), 1, null, T0), default);
        await Store.DisposeAsync();

        Store = await OpenAsync();

        Assert.Equal(TaskInstanceState.Running, Assert.Single(await Store.TaskInstances.ListAsync(new RunId("r1"), default)).State);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17], await Store.AppliedMigrationsAsync(default)); // each applied once, not again
    }

    [Fact]
    public async Task ConcurrentCompareAndSet_HasExactlyOneWinner()
    {
        await CreateRunAsync("r1", "etl", T0, "a");

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => Transition("a", TaskInstanceState.None, TaskInstanceState.Scheduled, $"decider {i}"))));

        Assert.Single(results, won => won);
        Assert.Single(await Store.TaskInstances.HistoryAsync(new RunId("r1"), new TaskId("a"), default));
    }

    [Fact]
    public async Task ConcurrentWrites_ThatAreRefusedOrThrow_UndoOnlyThemselves()
    {
        // Writes arriving together may share one transaction (group commit): each must still succeed or fail alone.
        var tasks = Enumerable.Range(0, 40).Select(i => $"t{i}").ToArray();
        await QueueAsync(tasks);

        var writes = tasks.SelectMany(task => new Func<Task<bool>>[]
        {
            () => Store.TaskInstances.TryStartTryAsync(new TryStart(new RunId("r1"), new TaskId(task), 1, "w", T0), default),
            () => Store.TaskInstances.TryStartTryAsync(new TryStart(new RunId("r1"), new TaskId(task), 1, "w", T0), default), // refused: already started
            () => Transition(task, TaskInstanceState.Success, TaskInstanceState.Running, "not a legal change"), // throws
        }).Select(write => Task.Run(async () =>
        {
            try
            {
                return await write() ? "applied" : "refused";
            }
            catch (InvalidOperationException)
            {
                return "threw";
            }
        }));
        var outcomes = await Task.WhenAll(writes);

        Assert.Equal(
            new Dictionary<string, int> { ["applied"] = 40, ["refused"] = 40, ["threw"] = 40 },
            outcomes.GroupBy(o => o).ToDictionary(g => g.Key, g => g.Count()));
        var instances = await Store.TaskInstances.ListAsync(new RunId("r1"), default);
        Assert.All(instances, i => Assert.Equal((TaskInstanceState.Running, 1), (i.State, i.TryNumber)));
        Assert.Equal(40, (await Store.TaskInstances.ListTriesAsync(new RunId("r1"), null, default)).Count);
        var history = await Store.TaskInstances.HistoryAsync(new RunId("r1"), null, default);
        Assert.Equal(40, history.Count(h => h.To == TaskInstanceState.Running)); // one per task, none from a refused start
    }

    private Task<bool> CreateRunAsync(string runId, string dagId, DateTimeOffset logicalDate, params string[] tasks) =>
        Store.Runs.CreateAsync(
            new DagRunRecord(new RunId(runId), new DagId(dagId), "v1", logicalDate, RunType.Manual, DagRunState.Queued, """{"a":1}""", T0),
            [.. tasks.Select(task => new TaskInstanceRecord(new RunId(runId), new TaskId(task), TaskInstanceState.None, 0, 3, "default", T0))],
            default);

    private async Task QueueAsync(params string[] tasks)
    {
        await CreateRunAsync("r1", "etl", T0, tasks);
        foreach (var task in tasks)
        {
            Assert.True(await Transition(task, TaskInstanceState.None, TaskInstanceState.Scheduled, "met"));
            Assert.True(await Transition(task, TaskInstanceState.Scheduled, TaskInstanceState.Queued, "queued"));
        }
    }

    private Task<bool> Transition(string task, TaskInstanceState from, TaskInstanceState to, string reason) =>
        Store.TaskInstances.TryTransitionAsync(new TaskTransition(new RunId("r1"), new TaskId(task), from, to, reason, T0), default);
}
