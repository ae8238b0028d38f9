using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Cluster;
using Orchestrator.Engine.Hosting;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Engine.Scheduling.Clustered;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Storage;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Tests.Shared;

namespace Orchestrator.Engine.Tests.Cluster;

/// <summary>The pickup signal: a process that created a queued run (a web server's trigger, a Quartz fire on any
/// scheduler) sends <see cref="EmbeddedEngine.PickupChannel"/>, and the scheduler holding the
/// <see cref="EmbeddedEngine.PickupLease"/> starts the run at once. The scheduler's pickup pass runs once at start and
/// then only every day here, so the run can start only because of the signal. A cluster scheduler keeps Hangfire and
/// Quartz on PostgreSQL (ORCHESTRATOR_TEST_POSTGRES, a database of this test's own); the metadata store, which carries
/// the signal, is SQLite (in-process signals) or PostgreSQL (LISTEN/NOTIFY, sent from another store connection as a
/// separate web server process would).</summary>
public abstract class PickupSignalTests : IAsyncLifetime
{
    /// <summary>A temp folder of this test's own: the DAG folder and, on SQLite, the store.</summary>
    protected string Root { get; } = Directory.CreateTempSubdirectory("orchestrator-pickup-").FullName;

    private ScratchDatabase _database = null!;

    /// <summary>This test's own PostgreSQL database (Hangfire and Quartz; the metadata store too, on PostgreSQL).</summary>
    protected string ConnectionString => _database.ConnectionString;

    protected IMetadataStore Store { get; private set; } = null!;

    /// <summary>The scheduler's metadata store.</summary>
    protected abstract Task<IMetadataStore> OpenStoreAsync();

    /// <summary>The store as the web server that takes the trigger sees it.</summary>
    protected abstract Task<IMetadataStore> OpenWebStoreAsync();

    /// <summary>Returns once the scheduler listens for the pickup signal (and its first look is over).</summary>
    protected abstract Task WaitUntilListeningAsync();

    public async Task InitializeAsync()
    {
        _database = await ScratchDatabase.CreateAsync();
        await using (var connection = new NpgsqlConnection(ConnectionString))
        {
            await connection.OpenAsync();
            await QuartzSchema.MigrateAsync(connection, default);
        }

        await using (var connection = new NpgsqlConnection(ConnectionString)) // as `db migrate` does (it sets the search path)
        {
            await connection.OpenAsync();
            Hangfire.PostgreSql.PostgreSqlObjectsInstaller.Install(connection, ClusterHangfire.Schema);
        }

        Store = await OpenStoreAsync();
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await _database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Root, recursive: true);
    }

    [Fact]
    public async Task AQueuedRun_StartsAtOnceOnThePickupSignal_NotAtThePickupPass()
    {
        var dags = Directory.CreateDirectory(Path.Combine(Root, "dags")).FullName;
        await File.WriteAllTextAsync(Path.Combine(dags, "signalled.json"), """{"id": "signalled", "tasks": [{"id": "t", "type": "empty"}]}""");
        await using var scheduler = await EmbeddedEngine.StartAsync(
            new EngineOptions
            {
                DagsFolder = dags,
                RescanPeriod = TimeSpan.FromDays(1),
                RunPickupPeriod = TimeSpan.FromDays(1), // one pass at start, the next a day later
                Cluster = new ClusterOptions { ConnectionString = ConnectionString, ProcessName = "s1" },
            },
            Store, TaskTypeRegistry.CreateDefault(), TimeProvider.System, NullLogger.Instance, default);
        await WaitUntilListeningAsync();
        await scheduler.StartQueuedRunsAsync(); // every pass of the start is over, and the pickup lease is s1's
        Assert.Equal("s1", (await Store.Leases.GetAsync(EmbeddedEngine.PickupLease, default))!.Owner);

        // The web server creates the run and sends the signal, as after `POST /api/v1/dags/signalled/dagRuns`.
        var web = await OpenWebStoreAsync();
        try
        {
            var runId = new RunId($"manual__{Guid.NewGuid():N}");
            Assert.True(await new RunFactory(web, TimeProvider.System).CreateAsync(
                scheduler.Catalog.Current[new DagId("signalled")], runId, TimeProvider.System.GetUtcNow(), RunType.Manual, "{}", default));
            await EmbeddedEngine.WakePickupAsync(local: null, web);

            await Eventually.WaitUntilAsync(async () => (await Store.Runs.GetAsync(runId, default))!.State != DagRunState.Queued, TimeSpan.FromSeconds(20));
            Assert.Equal(DagRunState.Running, (await Store.Runs.GetAsync(runId, default))!.State);
            Assert.Equal("s1", (await Store.Leases.GetAsync(RunLeases.NameOf(runId), default))!.Owner); // started by the lease holder
        }
        finally
        {
            if (!ReferenceEquals(web, Store))
            {
                await web.DisposeAsync();
            }
        }
    }
}

public sealed class SqlitePickupSignalTests : PickupSignalTests
{
    protected override async Task<IMetadataStore> OpenStoreAsync() =>
        await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(Root, "orchestrator.db")), TimeProvider.System, default);

    // In-process signals: the web server shares the scheduler's process and store (as in `standalone`).
    protected override Task<IMetadataStore> OpenWebStoreAsync() => Task.FromResult(Store);

    protected override Task WaitUntilListeningAsync() => Task.CompletedTask; // subscribed before StartAsync returns
}

public sealed class PostgresPickupSignalTests : PickupSignalTests
{
    protected override async Task<IMetadataStore> OpenStoreAsync() =>
        await SqlMetadataStore.OpenAsync(new PostgresDatabase(ConnectionString), TimeProvider.System, default);

    protected override async Task<IMetadataStore> OpenWebStoreAsync() =>
        await SqlMetadataStore.OpenAsync(new PostgresDatabase(ConnectionString), TimeProvider.System, default);

    /// <summary>The listener signals once when it connects (whatever happened while it was not listening): wait for its
    /// LISTEN, so that the pass it asks for is among those the test lets finish before creating the run.</summary>
    protected override Task WaitUntilListeningAsync() => Eventually.WaitUntilAsync(async () =>
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %' AND query LIKE '%orchestrator_pickup%'", connection);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    });
}
