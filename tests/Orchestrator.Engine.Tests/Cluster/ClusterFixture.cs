using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Cluster;
using Orchestrator.Engine.Dispatch;
using Orchestrator.Engine.Hosting;
using Orchestrator.Engine.Runs;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Loading;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Engine.Tests.Cluster;

/// <summary>Schedulers and workers of a cluster in one test process, sharing one SQLite store and a fake clock: what
/// crosses processes in a real cluster (tries dispatched, reports, leases) goes through the store or through
/// <see cref="Dispatched"/>, a queue the test hands to whichever worker it likes. Background loops are not started:
/// the test calls their passes itself.</summary>
internal sealed class ClusterFixture : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-cluster-").FullName;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public IMetadataStore Store { get; private set; } = null!;

    public TaskTypeRegistry Registry { get; } = TaskTypeRegistry.CreateDefault();

    /// <summary>Tries dispatched by any scheduler, in order: (run, task, try).</summary>
    public BlockingCollection<(RunId Run, TaskId Task, int Try)> Dispatched { get; } = [];

    /// <summary>No claiming ahead: a test's claims take exactly the free slots (ClaimAheadTests turn it on).</summary>
    public ClusterOptions Options { get; } = new() { LeaseTimeout = TimeSpan.FromSeconds(30), ClaimAhead = 0 };

    private readonly List<LoadedDag> _dags = [];

    public static async Task<ClusterFixture> StartAsync()
    {
        var fixture = new ClusterFixture();
        fixture.Store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(fixture._folder, "orchestrator.db")), TimeProvider.System, default);
        return fixture;
    }

    public LoadedDag Register(DagBuilder builder)
    {
        var result = builder.TryBuild();
        Assert.Empty(result.Errors);
        var dag = new LoadedDag(result.Dag!, result.Graph!, Path.Combine(_folder, $"{result.Dag!.Id}.json"), Guid.NewGuid().ToString("N"));
        _dags.Add(dag);
        return dag;
    }

    /// <summary>A scheduler; with <paramref name="store"/>, one that drives its runs through that store.</summary>
    public Scheduler NewScheduler(string name, IMetadataStore? store = null)
    {
        store ??= Store;
        var options = new ClusterOptions { LeaseTimeout = Options.LeaseTimeout, ProcessName = name };
        var leases = new RunLeases(store.Leases, options, Time);
        var versions = new DagVersions();
        _dags.ForEach(versions.Add);
        var coordinator = new RunCoordinator(store, versions, Time, NullLogger.Instance) { FenceFor = leases.Get };
        coordinator.Attach(new Queue(Dispatched));
        var driving = new ClusterDriving(store, coordinator, leases, options, Time, NullLogger.Instance, (run, token) => coordinator.StartAsync(run, token));
        return new Scheduler(coordinator, leases, driving);
    }

    /// <summary>A worker; with <paramref name="followQueues"/>, one that starts ready downstream tasks of those queues
    /// itself right after a success.</summary>
    public ClusterTaskWorker NewWorker(string name, int concurrency = 1, IReadOnlySet<string>? followQueues = null, IMetadataStore? store = null)
    {
        var catalog = new DagCatalog(_folder, DagLoaders.CreateFolderLoader(DagLoading.OptionsFor(Registry)), store ?? Store, Time);
        _dags.ForEach(catalog.Versions.Add);
        return new ClusterTaskWorker(store ?? Store, catalog, Registry, new ClusterOptions { LeaseTimeout = Options.LeaseTimeout, ProcessName = name }, Time, NullLogger.Instance,
            concurrency: concurrency)
        {
            FollowQueues = followQueues,
        };
    }

    /// <summary>Creates a queued run and has <paramref name="scheduler"/> start it under its lease.</summary>
    public async Task<RunId> TriggerAsync(Scheduler scheduler, LoadedDag dag)
    {
        var now = Time.GetUtcNow();
        var runId = new RunId($"manual__{Guid.NewGuid():N}");
        Assert.True(await Store.Runs.CreateAsync(
            new DagRunRecord(runId, dag.Id, dag.Version, now, RunType.Manual, DagRunState.Queued, "{}", now),
            [.. dag.Definition.Tasks.Select(t => new TaskInstanceRecord(runId, t.Id, TaskInstanceState.None, 0, t.Retry.MaxTries, t.Queue, now))],
            default));
        Assert.True(await scheduler.Leases.TryAcquireAsync(runId, default));
        Assert.True(await scheduler.Coordinator.StartAsync(runId, default));
        return runId;
    }

    public (RunId Run, TaskId Task, int Try) NextDispatched() =>
        Dispatched.TryTake(out var next, TimeSpan.FromSeconds(30)) ? next : throw new TimeoutException("nothing was dispatched within 30 s");

    public async Task<Dictionary<string, TaskInstanceRecord>> TasksAsync(RunId runId) =>
        (await Store.TaskInstances.ListAsync(runId, default)).ToDictionary(t => t.TaskId.Value);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private sealed class Queue(BlockingCollection<(RunId, TaskId, int)> items) : ITaskDispatcher
    {
        public void Enqueue(RunId runId, TaskId taskId, int tryNumber, string queue) => items.Add((runId, taskId, tryNumber));
    }
}

internal sealed record Scheduler(RunCoordinator Coordinator, RunLeases Leases, ClusterDriving Driving);

/// <summary>A task that runs until the test lets it end (or its try is cancelled).</summary>
internal sealed class Gate : ITaskExecutor
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Entered => _entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

    public void Open() => _open.TrySetResult();

    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        _entered.TrySetResult();
        await _open.Task.WaitAsync(cancellationToken);
        return JsonDocument.Parse("""{"done":true}""").RootElement.Clone();
    }
}
