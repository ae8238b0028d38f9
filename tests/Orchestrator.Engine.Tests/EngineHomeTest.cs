using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Engine.Hosting;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Engine.Tests;

/// <summary>A temp home with a dags folder and a SQLite store, for tests that start the whole embedded engine.</summary>
public abstract class EngineHomeTest : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-standalone-").FullName;

    protected SqlMetadataStore Store { get; private set; } = null!;

    protected string Dags => Path.Combine(_root, "dags");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Dags);
        Store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_root, "orchestrator.db")), TimeProvider.System, default);
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>The engine on this home. On a fake clock its periodic timers would fire once per period of every
    /// Advance: they are made rare then, and the test drives pickups itself.</summary>
    protected async Task<EmbeddedEngine> StartEngineAsync(TimeProvider? time = null, TimeSpan? rescan = null, int workers = 2) => await EmbeddedEngine.StartAsync(
        new EngineOptions
        {
            DagsFolder = Dags, Workers = workers,
            RescanPeriod = time is null ? rescan ?? TimeSpan.FromSeconds(1) : TimeSpan.FromDays(30),
            RunPickupPeriod = time is null ? TimeSpan.FromMilliseconds(200) : TimeSpan.FromDays(30),
        },
        Store, TaskTypeRegistry.CreateDefault(), time ?? TimeProvider.System, NullLogger.Instance, default);
}
