using Hangfire;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Secrets;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Hosting;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Loading;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Cluster;

/// <summary>What <c>orchestrator worker</c> runs: <see cref="ClusterTaskWorker"/> running tries in its slots, fed by
/// the fast path (<see cref="QueuedTryClaimer"/>: claims queued tries of its queues from the store when woken) and by
/// a Hangfire server on the cluster's PostgreSQL fetching the batch jobs of its queues (the fallback), and the
/// heartbeat that keeps their leases.</summary>
public sealed class WorkerRole : IAsyncDisposable
{
    private readonly IMetadataStore _store;
    private readonly ClusterTaskWorker _worker;
    private readonly WorkerHeartbeat _heartbeat;
    private readonly QueuedTryClaimer _claimer;
    private readonly BackgroundJobServer _server;
    private readonly JobStorage _storage;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    private readonly TimeSpan _stopGrace;

    private WorkerRole(
        IMetadataStore store, ClusterTaskWorker worker, WorkerHeartbeat heartbeat, QueuedTryClaimer claimer, BackgroundJobServer server, JobStorage storage,
        TimeSpan stopGrace, TimeProvider time, ILogger logger)
    {
        _store = store;
        _worker = worker;
        _heartbeat = heartbeat;
        _claimer = claimer;
        _stopGrace = stopGrace;
        _server = server;
        _storage = storage;
        _time = time;
        _logger = logger;
    }

    public string WorkerId => _worker.WorkerId;

    /// <summary>Registers the worker and starts fetching the tries of <paramref name="queues"/> (each a Hangfire queue
    /// of the same name), <paramref name="concurrency"/> at once. On stop, running tries get <paramref name="stopGrace"/>
    /// before they are interrupted (they run again elsewhere without using up a retry).</summary>
    public static async Task<WorkerRole> StartAsync(
        ClusterOptions cluster, IReadOnlyList<string> queues, int concurrency, TimeSpan stopGrace, string dagsFolder, IMetadataStore store,
        TaskTypeRegistry registry, TimeProvider time, ILogger logger, ITrySecretsSource? secrets, LogLimits? logLimits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(queues);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(concurrency);
        if (queues.Count == 0 || queues.Any(q => !Core.Model.TaskDefinition.IsValidQueueName(q)))
        {
            throw new ArgumentException($"queues must be 1-64 lowercase letters, digits, '_' or '-' each, got '{string.Join(',', queues)}'", nameof(queues));
        }

        await ClusterHangfire.EnsureMigratedAsync(cluster, cancellationToken);
        // Workers claim queued tries from the store: a standalone engine's are its own.
        if (await store.Leases.GetAsync(EngineLease.Name, cancellationToken) is { } standalone && standalone.ExpiresAt > time.GetUtcNow()
            && !EngineLease.IsDeadLocalProcess(standalone.Owner))
        {
            throw new InvalidOperationException(
                $"a standalone engine drives this store ({standalone.Owner}): a cluster's workers and a standalone engine cannot share a store; stop it first");
        }

        // Versions come from the store (the source text each run is pinned to); the folder is where relative paths point.
        var versions = new DagCatalog(dagsFolder, DagLoaders.CreateFolderLoader(DagLoading.OptionsFor(registry)), store, time);
        var worker = new ClusterTaskWorker(store, versions, registry, cluster, time, logger, secrets, logLimits, concurrency)
        {
            FollowQueues = cluster.FollowOn ? queues.ToHashSet(StringComparer.Ordinal) : null,
        };
        var now = time.GetUtcNow();
        var heartbeat = new WorkerHeartbeat(store, worker,
            new WorkerRecord(worker.WorkerId, Environment.MachineName, Environment.ProcessId, queues, concurrency, now, now), cluster, time, logger);
        await heartbeat.StartAsync(cancellationToken);
        var storage = ClusterHangfire.CreateStorage(cluster);
        var claimer = new QueuedTryClaimer(store, worker, queues, cluster, time, logger);
        claimer.Start();
        var server = new BackgroundJobServer(new BackgroundJobServerOptions
        {
            // A batch job only claims and starts its tries (they run in the worker's slots), so a few fetchers do.
            WorkerCount = Math.Min(concurrency, 2),
            Queues = [.. queues],
            ServerName = worker.WorkerId,
            Activator = new Activator(worker),
            // Tries run outside Hangfire's jobs (see DisposeAsync); a job of the first version gets the grace.
            StopTimeout = stopGrace,
            ShutdownTimeout = stopGrace + TimeSpan.FromSeconds(30),
        }, storage);
        logger.LogInformation("Worker {Worker} started: queues {Queues}, {Concurrency} at once", worker.WorkerId, string.Join(",", queues), concurrency);
        return new WorkerRole(store, worker, heartbeat, claimer, server, storage, stopGrace, time, logger);
    }

    /// <summary>Stops fetching, lets running tries finish within the stop grace, interrupts the rest (reported as
    /// interrupted: they run again without using up a retry), and marks the worker stopped.</summary>
    public async ValueTask DisposeAsync()
    {
        _worker.BeginStop();
        await _claimer.DisposeAsync();
        _server.SendStop();
        var interrupted = await _worker.StopAsync(_stopGrace);
        if (interrupted > 0)
        {
            _logger.LogWarning("Worker {Worker}: {Count} running tries did not end within the stop grace of {Grace} and were interrupted; they run again without using up a retry",
                _worker.WorkerId, interrupted, _stopGrace);
        }

        await _server.WaitForShutdownAsync(CancellationToken.None);
        _server.Dispose();
        await _heartbeat.DisposeAsync();
        _worker.Dispose();
        try
        {
            await _store.Workers.StopAsync(_worker.WorkerId, _time.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogWarning("Worker {Worker}: could not record its stop ({Error})", _worker.WorkerId, exception.Message);
        }

        (_storage as IDisposable)?.Dispose();
        _logger.LogInformation("Worker {Worker} stopped", _worker.WorkerId);
    }

    private sealed class Activator(ClusterTaskWorker worker) : JobActivator
    {
        public override object ActivateJob(Type jobType) =>
            jobType == typeof(ClusterBatchJob) ? new ClusterBatchJob(worker)
            : jobType == typeof(ClusterTaskJob) ? new ClusterTaskJob(worker)
            : base.ActivateJob(jobType);
    }
}
