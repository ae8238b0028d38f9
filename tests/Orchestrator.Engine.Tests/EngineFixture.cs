using System.Collections.Concurrent;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Dispatch;
using Orchestrator.Engine.Runs;
using Orchestrator.Engine.Workers;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Loading;
using Orchestrator.Secrets.Encryption;
using Orchestrator.Secrets.Keys;
using Orchestrator.Secrets.Masking;
using Orchestrator.Secrets.Values;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Engine.Tests;

/// <summary>A real engine on a SQLite store in a temp folder, with Hangfire's in-memory queue and two workers.
/// <see cref="RestartAsync"/> throws the engine away (as a crash would) and builds a new one on the same store.</summary>
internal sealed class EngineFixture : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-engine-").FullName;
    private readonly ConcurrentDictionary<RunId, TaskCompletionSource<DagRunState>> _finished = new();
    private HangfireTaskDispatcher? _dispatcher;
    private TaskWorker? _worker;

    public IMetadataStore Store { get; private set; } = null!;

    public DagVersions Versions { get; } = new();

    public RunCoordinator Coordinator { get; private set; } = null!;

    private int _workers = 2;
    private bool _inline;
    private ILostTryCleaner? _lostTries;
    private TaskTypeRegistry? _registry;

    /// <summary>The engine's clock (the system's unless the test gave a fake one).</summary>
    public TimeProvider Time { get; private init; } = TimeProvider.System;

    /// <summary>The cipher of this engine's Variables and Connections (a fresh key per fixture).</summary>
    public SecretCipher Cipher { get; } = new(SecretKey.Generate("test"));

    /// <param name="workers">Hangfire workers.</param>
    /// <param name="inline">Instead of Hangfire, run each dispatched task inside <c>Enqueue</c> itself: the worker
    /// starts before the coordinator's dispatch call returns, the tightest race a real queue can produce.</param>
    /// <param name="lostTries">What stops a lost try's processes on resume.</param>
    /// <param name="registry">The task types (default: the built-in ones).</param>
    /// <param name="time">The engine's clock (default: the system's).</param>
    public static async Task<EngineFixture> StartAsync(
        int workers = 2, bool inline = false, ILostTryCleaner? lostTries = null, TaskTypeRegistry? registry = null, TimeProvider? time = null)
    {
        var fixture = new EngineFixture { _workers = workers, _inline = inline, _lostTries = lostTries, _registry = registry, Time = time ?? TimeProvider.System };
        await fixture.BuildAsync();
        return fixture;
    }

    /// <summary>Throws the engine away as a crash would: its coordinator records nothing more, its workers are
    /// stopped (their tries' ends are not recorded); a new engine is built on the same database.</summary>
    public async Task RestartAsync()
    {
        await Coordinator.AbandonAsync();
        _dispatcher?.Dispose();
        await Coordinator.DrainAsync();
        _worker?.Dispose();
        await Store.DisposeAsync();
        await BuildAsync();
    }

    /// <summary>Stops the engine as <c>standalone</c> does on SIGTERM (running tries get <paramref name="grace"/>, then are
    /// interrupted and recorded), then builds a new one on the same database.</summary>
    public async Task<int> StopAndRestartAsync(TimeSpan grace)
    {
        Coordinator.BeginStop();
        var interrupted = await _worker!.StopAsync(grace);
        _dispatcher?.Dispose();
        await Coordinator.StopAsync();
        _worker.Dispose();
        await Store.DisposeAsync();
        await BuildAsync();
        return interrupted;
    }

    public LoadedDag Register(DagBuilder builder)
    {
        var result = builder.TryBuild();
        Assert.Empty(result.Errors);
        var dag = new LoadedDag(result.Dag!, result.Graph!, Path.Combine(_folder, $"{result.Dag!.Id}.json"), Guid.NewGuid().ToString("N"));
        Versions.Add(dag);
        return dag;
    }

    public async Task<RunId> TriggerAsync(LoadedDag dag, string conf = "{}", RunType type = RunType.Manual, DateTimeOffset? logicalDate = null)
    {
        var now = Time.GetUtcNow();
        var runId = new RunId($"{type.ToString().ToLowerInvariant()}__{Guid.NewGuid():N}");
        // The store keeps one run per DAG and logical date (to the millisecond): triggers in a tight loop each get
        // their own, as the CLI's manual triggers do.
        var logical = logicalDate ?? NextLogicalDate(now);
        Assert.True(await Store.Runs.CreateAsync(
            new DagRunRecord(runId, dag.Id, dag.Version, logical, type, DagRunState.Queued, conf, now),
            [.. dag.Definition.Tasks.Select(t => new TaskInstanceRecord(runId, t.Id, TaskInstanceState.None, 0, t.Retry.MaxTries, t.Queue, now))],
            default));
        Assert.True(await Coordinator.StartAsync(runId, default));
        return runId;
    }

    private readonly Lock _logicalDates = new();
    private DateTimeOffset _lastLogicalDate;

    private DateTimeOffset NextLogicalDate(DateTimeOffset now)
    {
        lock (_logicalDates)
        {
            var ms = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
            _lastLogicalDate = ms > _lastLogicalDate ? ms : _lastLogicalDate.AddMilliseconds(1);
            return _lastLogicalDate;
        }
    }

    public Task<DagRunState> FinishedAsync(RunId runId) =>
        _finished.GetOrAdd(runId, _ => new TaskCompletionSource<DagRunState>(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(TimeSpan.FromSeconds(60));

    public async Task<Dictionary<string, TaskInstanceRecord>> TasksAsync(RunId runId) =>
        (await Store.TaskInstances.ListAsync(runId, default)).ToDictionary(t => t.TaskId.Value);

    public async ValueTask DisposeAsync()
    {
        _dispatcher?.Dispose();
        await Coordinator.DrainAsync();
        _worker?.Dispose();
        await Store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task BuildAsync()
    {
        Store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), Time, default);
        Coordinator = new RunCoordinator(Store, Versions, Time, lostTries: _lostTries);
        Coordinator.RunFinished += (runId, state) =>
            _finished.GetOrAdd(runId, _ => new TaskCompletionSource<DagRunState>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(state);
        _worker = new TaskWorker(Coordinator, Store, _registry ?? TaskTypeRegistry.CreateDefault(), Time, "test-worker",
            new StoreTrySecretsSource(Store, Cipher, SensitiveNames.Default));
        if (_inline)
        {
            Coordinator.Attach(new InlineDispatcher(_worker));
            return;
        }

        _dispatcher = new HangfireTaskDispatcher(_worker, workerCount: _workers);
        Coordinator.Attach(_dispatcher);
    }
}

/// <summary>Runs the worker synchronously inside <c>Enqueue</c> (up to its first real wait).</summary>
internal sealed class InlineDispatcher(TaskWorker worker) : ITaskDispatcher
{
    public void Enqueue(RunId runId, TaskId taskId, int tryNumber, string queue) => _ = worker.RunAsync(runId, taskId, CancellationToken.None);
}
