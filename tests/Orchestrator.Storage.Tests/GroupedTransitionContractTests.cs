using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>A batch moving many tasks (a run's start plan, a fan-out), on every backend: each task's transitions in
/// order, every task moved (history included), statements shared by tasks alike; and one task not where the batch
/// expects it refuses the whole batch, naming that task, with nothing changed.</summary>
public abstract class GroupedTransitionContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly RunId Run = new("wide");

    [Fact]
    public async Task ThousandsOfTasks_MoveThroughTwoStatesInOneBatch_InOrder()
    {
        var tasks = await CreateAsync(1_203);

        // As a start plan writes it: each task none → scheduled, then scheduled → queued; one odd reason among them.
        var transitions = tasks.SelectMany(t => new[]
        {
            new TaskTransition(Run, t, TaskInstanceState.None, TaskInstanceState.Scheduled, t.Value == "t0600" ? "odd one" : "no upstream", T0),
            new TaskTransition(Run, t, TaskInstanceState.Scheduled, TaskInstanceState.Queued, "queued for a worker", T0.AddMilliseconds(1)),
        }).ToList();
        var result = await Store.ApplyAsync(new StateChangeBatch(Transitions: transitions), default);

        Assert.True(result.Applied, result.FailedCondition);
        var stored = await Store.TaskInstances.ListAsync(Run, default);
        Assert.All(stored, i => Assert.Equal((TaskInstanceState.Queued, "queued for a worker", T0.AddMilliseconds(1)), (i.State, i.StateReason, i.UpdatedAt)));
        var history = await Store.TaskInstances.HistoryAsync(Run, new TaskId("t0600"), default);
        Assert.Equal([(TaskInstanceState.None, TaskInstanceState.Scheduled, "odd one"), (TaskInstanceState.Scheduled, TaskInstanceState.Queued, "queued for a worker")],
            history.Select(h => (h.From, h.To, h.Reason)));
    }

    [Fact]
    public async Task OneTaskNotWhereTheBatchExpects_RefusesTheBatch_NamingIt_AndChangesNothing()
    {
        var tasks = await CreateAsync(40);
        Assert.True(await Store.TaskInstances.TryTransitionAsync(new TaskTransition(Run, new TaskId("t0031"), TaskInstanceState.None, TaskInstanceState.Skipped, "decided elsewhere", T0), default));

        var result = await Store.ApplyAsync(new StateChangeBatch(Transitions:
            [.. tasks.Select(t => new TaskTransition(Run, t, TaskInstanceState.None, TaskInstanceState.Scheduled, "no upstream", T0.AddSeconds(1)))]), default);

        Assert.False(result.Applied);
        Assert.Equal("task 't0031' is no longer none", result.FailedCondition);
        var stored = (await Store.TaskInstances.ListAsync(Run, default)).ToDictionary(i => i.TaskId.Value, i => i.State);
        Assert.Equal(39, stored.Values.Count(s => s == TaskInstanceState.None));
        Assert.Equal(TaskInstanceState.Skipped, stored["t0031"]);
    }

    private async Task<List<TaskId>> CreateAsync(int count)
    {
        var tasks = Enumerable.Range(0, count).Select(i => new TaskId($"t{i:0000}")).ToList();
        Assert.True(await Store.Runs.CreateAsync(new DagRunRecord(Run, new DagId("wide"), "v1", T0, RunType.Manual, DagRunState.Running, "{}", T0),
            [.. tasks.Select(t => new TaskInstanceRecord(Run, t, TaskInstanceState.None, 0, 1, "default", T0))], default));
        return tasks;
    }
}

public sealed class SqliteGroupedTransitionContractTests : GroupedTransitionContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-grouped-transitions-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresGroupedTransitionContractTests : GroupedTransitionContractTests
{
    private readonly PostgresBackend _backend = new();

    [Fact]
    public async Task ABatchThatLosesADeadlock_IsWrittenAgain_NotFailed()
    {
        var run = new RunId("locked");
        var tasks = new[] { "t1", "t2", "t3" };
        var at = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        Assert.True(await Store.Runs.CreateAsync(new DagRunRecord(run, new DagId("locked"), "v1", at, RunType.Manual, DagRunState.Running, "{}", at),
            [.. tasks.Select(t => new TaskInstanceRecord(run, new TaskId(t), TaskInstanceState.None, 0, 1, "default", at))], default));

        // Another process holds t3's row, the batch takes t1 and t2 and waits for t3, and the other then wants t1: a
        // deadlock, which PostgreSQL breaks by failing the transaction that has waited longest (the batch's).
        await using var other = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(PostgresBackend.ConnectionString) { SearchPath = _backend.Schema }.ConnectionString);
        await other.OpenAsync();
        await using var holding = await other.BeginTransactionAsync();
        await Execute(other, holding, "UPDATE task_instances SET state_reason = 'held' WHERE task_id = 't3'");
        var batch = Store.ApplyAsync(new StateChangeBatch(Transitions:
            [.. tasks.Select(t => new TaskTransition(run, new TaskId(t), TaskInstanceState.None, TaskInstanceState.Scheduled, "ready", at))]), default);
        await Task.Delay(300); // lets the batch lock t1 and t2 and wait for t3 (a guard, not a timing: the deadlock happens either way or not at all)
        try
        {
            await Execute(other, holding, "UPDATE task_instances SET state_reason = 'held' WHERE task_id = 't1'");
            await holding.CommitAsync();
        }
        catch (Npgsql.PostgresException exception) when (exception.SqlState == "40P01")
        {
            await holding.RollbackAsync(); // this side was chosen instead: the batch went through at once
        }

        var result = await batch.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.Applied, result.FailedCondition);
        Assert.All(await Store.TaskInstances.ListAsync(run, default), i => Assert.Equal(TaskInstanceState.Scheduled, i.State));
    }

    [Fact]
    public async Task AWriteWhoseConnectionDies_FailsWithTheServersError_NotWithTheUndoThatFollowed()
    {
        var run = new RunId("killed");
        var at = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        Assert.True(await Store.Runs.CreateAsync(new DagRunRecord(run, new DagId("killed"), "v1", at, RunType.Manual, DagRunState.Running, "{}", at),
            [new TaskInstanceRecord(run, new TaskId("t1"), TaskInstanceState.None, 0, 1, "default", at)], default));

        // The batch waits for t1's row; its server process is then ended (as a database restart does).
        await using var other = new Npgsql.NpgsqlConnection(new Npgsql.NpgsqlConnectionStringBuilder(PostgresBackend.ConnectionString) { SearchPath = _backend.Schema }.ConnectionString);
        await other.OpenAsync();
        await using var holding = await other.BeginTransactionAsync();
        await Execute(other, holding, "UPDATE task_instances SET state_reason = 'held' WHERE task_id = 't1'");
        var batch = Store.ApplyAsync(new StateChangeBatch(Transitions:
            [new TaskTransition(run, new TaskId("t1"), TaskInstanceState.None, TaskInstanceState.Scheduled, "ready", at)]), default);
        using (var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30))) // a hang guard, not a timing
        {
            while (true)
            {
                await using var kill = new Npgsql.NpgsqlCommand(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()", other, holding);
                if (await kill.ExecuteScalarAsync(bound.Token) is true)
                {
                    break;
                }

                await Task.Delay(20, bound.Token);
            }
        }

        var error = await Assert.ThrowsAnyAsync<Exception>(() => batch.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal("57P01", Assert.IsType<Npgsql.PostgresException>(error).SqlState);
        await holding.RollbackAsync();
    }

    private static async Task Execute(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction transaction, string sql)
    {
        await using var command = new Npgsql.NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
