using Npgsql;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;

namespace Orchestrator.Storage.Tests;

/// <summary>Statements that name many tasks of a run, or one try, keep finding rows by key when PostgreSQL's statistics
/// know nothing of that run, worker or burst — the usual case, since a run's rows are new and the tables were analysed
/// before it began. Each statement runs in a transaction of its own, which then counts the rows (or index pages) it
/// read: a plan that walks a whole run, a burst of queued instances or all of a worker's open tries reads thousands.</summary>
public sealed class PostgresPlanGuardTests : IAsyncLifetime
{
    private const int RunSize = 4_000;
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
    private static readonly RunId Big = new("big");
    private readonly PostgresBackend _backend = new();
    private IMetadataStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = await _backend.OpenAsync();
        await ExecuteAsync("ALTER TABLE task_instances SET (autovacuum_enabled = off); ALTER TABLE task_tries SET (autovacuum_enabled = off)");
        foreach (var old in new[] { "old-a", "old-b", "old-c" })
        {
            await CreateRunAsync(new RunId(old), 5);
            await ExecuteAsync($"INSERT INTO task_tries (run_id, task_id, try_number, worker_id, started_at) SELECT run_id, task_id, 1, 'old-worker', 0 FROM task_instances WHERE run_id = '{old}'");
        }

        // Analysed before the big run and the busy worker exist, as a database is at rest between runs.
        await ExecuteAsync("ANALYZE task_instances; ANALYZE task_tries");
        await CreateRunAsync(Big, RunSize);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        await _backend.DropAsync();
    }

    [Fact]
    public async Task MovingPartOfANewRun_FetchesOnlyTheTasksNamed()
    {
        var named = Enumerable.Range(0, 400).Select(i => Task(i * 10).Value).ToList();

        var (moved, fetched) = await InOwnTransactionAsync("task_instances", (connection, transaction) => TaskStatements.MoveAsync(connection, transaction,
            new TaskTransition(Big, new TaskId(named[0]), TaskInstanceState.None, TaskInstanceState.Scheduled, "no upstream", T0), named, default));

        Assert.Equal(400, moved);
        Assert.InRange(fetched, 400, 2 * 400);
    }

    [Fact]
    public async Task AReportOfABusyWorker_FindsItsTryByKey()
    {
        await ExecuteAsync($"INSERT INTO task_tries (run_id, task_id, try_number, worker_id, started_at) SELECT run_id, task_id, 1, 'busy', 0 FROM task_instances WHERE run_id = '{Big}'");
        var report = new TryReport(Big, Task(1_234), 1, "busy", "success", null, false, T0, T0.AddSeconds(1), null, T0.AddSeconds(1));

        var (accepted, fetched) = await InOwnTransactionAsync("task_tries", (connection, transaction) => SqlTryReportStore.InsertAsync(connection, transaction, report, null, default));

        Assert.True(accepted);
        Assert.InRange(fetched, 1, 10);
    }

    [Fact]
    public async Task DeletingRecordedReports_ReadsOnlyThoseReports()
    {
        await ExecuteAsync($"""
            INSERT INTO task_tries (run_id, task_id, try_number, worker_id, started_at) SELECT run_id, task_id, 1, 'busy', 0 FROM task_instances WHERE run_id = '{Big}';
            INSERT INTO try_reports (run_id, task_id, try_number, worker_id, outcome, configuration_error, started_at, ended_at, reported_at)
            SELECT run_id, task_id, 1, 'busy', 'success', 0, 0, 1, 1 FROM task_tries WHERE run_id = '{Big}'
            """);
        var recorded = Enumerable.Range(0, 200).Select(i => (Big, Task(i * 20), 1)).ToList();

        var (_, read) = await InOwnTransactionAsync("try_reports", async (connection, transaction) =>
        {
            await GroupedFinishes.DeleteReportsAsync(connection, transaction, recorded, default);
            return 0;
        });

        Assert.InRange(read, 200, 2 * 200);
    }

    [Fact]
    public async Task StartingOneTryOfABurstOfQueued_FindsItByKey()
    {
        await ExecuteAsync($"UPDATE task_instances SET state = 'queued' WHERE run_id = '{Big}'");
        var start = new TryStart(Big, Task(2_345), 1, "busy", T0, T0.AddMinutes(1));

        // Index pages, not rows: walking the queued-only index finds the one row too, but reads the whole burst's pages.
        var (started, pages) = await InOwnTransactionAsync(async (connection, transaction) => await TaskStatements.StartTryAsync(connection, transaction, start, default),
            IndexPagesRead);

        Assert.True(started);
        Assert.InRange(pages, 1, 20); // 11 by the key; 38 walking the queued-only index
    }

    [Fact]
    public async Task AFollowOnBehindABurstOfQueued_LooksOnlyForHigherWeights()
    {
        var next = Task(RunSize - 1);
        await ExecuteAsync($"UPDATE task_instances SET state = 'queued' WHERE run_id = '{Big}' AND task_id <> '{next}'");
        var report = new TryReport(Big, Task(0), 1, "busy", "success", null, false, T0, T0.AddSeconds(1), null, T0.AddSeconds(1));
        var follow = new FollowOn([new FollowCandidate(next, [])], ["default"], T0.AddMinutes(1));

        // The queued tasks all weigh as much as the next one, so none goes first; walking them all reads the burst's pages.
        var (started, pages) = await InOwnTransactionAsync((connection, transaction) => FollowOnStatements.StartAsync(connection, transaction, report, follow.Candidates[0], follow, default),
            IndexPagesRead);

        Assert.Equal(next, started?.TaskId);
        Assert.InRange(pages, 1, 20);
    }

    private const string IndexPagesRead = "SELECT SUM(pg_stat_get_xact_blocks_fetched(indexrelid))::bigint FROM pg_index WHERE indrelid = 'task_instances'::regclass";

    private static TaskId Task(int i) => new($"t{i:0000}");

    private async Task CreateRunAsync(RunId run, int tasks) =>
        Assert.True(await _store.Runs.CreateAsync(new DagRunRecord(run, new DagId(run.Value), "v1", T0, RunType.Manual, DagRunState.Running, "{}", T0),
            [.. Enumerable.Range(0, tasks).Select(i => new TaskInstanceRecord(run, Task(i), TaskInstanceState.None, 0, 1, "default", T0))], default));

    /// <summary>Runs <paramref name="statement"/> on a connection of its own and returns its result with the rows of
    /// <paramref name="table"/> read in that transaction, by sequential scans and index scans.</summary>
    private Task<(T Result, long Read)> InOwnTransactionAsync<T>(string table, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> statement) =>
        InOwnTransactionAsync(statement, $"""
            SELECT pg_stat_get_xact_tuples_returned('{table}'::regclass)
                   + (SELECT COALESCE(SUM(pg_stat_get_xact_tuples_returned(indexrelid)), 0) FROM pg_index WHERE indrelid = '{table}'::regclass)::bigint
            """);

    /// <summary>Runs <paramref name="statement"/> on a connection of its own and returns its result with what
    /// <paramref name="count"/> says of that transaction.</summary>
    private async Task<(T Result, long Count)> InOwnTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> statement, string count)
    {
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // On a table this small, hashing all of it is cheaper than looking up each key, and PostgreSQL rightly
        // prefers it; a join by hashing reads every row once, so the cost is linear either way. What is guarded is
        // that a plan by keys exists: the old forms' best plan read the whole run and compared each row with every key.
        await using (var noHashing = new NpgsqlCommand("SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off", connection, transaction))
        {
            await noHashing.ExecuteNonQueryAsync();
        }

        var result = await statement(connection, transaction);
        await using var counting = new NpgsqlCommand(count, connection, transaction);
        var counted = (long)(await counting.ExecuteScalarAsync())!;
        await transaction.RollbackAsync();
        return (result, counted);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgresBackend.ConnectionString) { SearchPath = _backend.Schema, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
