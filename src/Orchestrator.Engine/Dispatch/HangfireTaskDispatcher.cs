using System.Collections.Concurrent;
using System.Reflection;
using Hangfire;
using Hangfire.Common;
using Hangfire.InMemory;
using Hangfire.States;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Model;
using Orchestrator.Engine.Workers;

namespace Orchestrator.Engine.Dispatch;

/// <summary>Ready task instances go through Hangfire to the embedded engine's pool of workers (Hangfire's in-memory
/// storage; a cluster dispatches with <see cref="Cluster.ClusterDispatcher"/>). Dispatched tries wait in this process
/// (<see cref="ReadyTries"/>, one per Hangfire queue) and a Hangfire job is a <em>drain</em>: the worker that runs it
/// takes tries one after another until none is left. At most one drain per worker exists at once, so a burst of ready
/// tasks costs a few Hangfire jobs instead of one job (create, fetch, three state changes) per task, while a lone ready
/// task still starts at once. The worker reads everything else from the engine, whose store is the record: a try
/// lost here (the process stops) is still queued there and is dispatched again on the next start.</summary>
public sealed class HangfireTaskDispatcher : ITaskDispatcher, IDisposable
{
    private static readonly MethodInfo DrainMethod = typeof(TaskJob).GetMethod(nameof(TaskJob.DrainAsync))!;

    private readonly InMemoryStorage _storage;
    private readonly BackgroundJobClient _client;
    private readonly BackgroundJobServer _server;
    private readonly bool _routeByQueue;
    private readonly int _workerCount;
    private readonly ConcurrentDictionary<string, ReadyTries> _ready = new(StringComparer.Ordinal);

    /// <param name="worker">Runs the jobs this process's Hangfire server takes.</param>
    /// <param name="workerCount">Tasks run at once by this process.</param>
    /// <param name="queues">The task queues these workers serve, each a Hangfire queue of the same name. Null: one
    /// pool serves every task whatever its queue (embedded mode, like Airflow's local executor).</param>
    /// <param name="logger">Where a worker's own failure is logged.</param>
    public HangfireTaskDispatcher(TaskWorker worker, int workerCount, IReadOnlyList<string>? queues = null, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workerCount);
        if (queues?.FirstOrDefault(q => !TaskDefinition.IsValidQueueName(q)) is { } invalid)
        {
            throw new ArgumentException($"queue '{invalid}' must be 1-64 lowercase letters, digits, '_' or '-'", nameof(queues));
        }

        _routeByQueue = queues is not null;
        _workerCount = workerCount;
        _storage = new InMemoryStorage();
        _client = new BackgroundJobClient(_storage);
        _server = new BackgroundJobServer(
            new BackgroundJobServerOptions
            {
                WorkerCount = workerCount,
                Activator = new WorkerActivator(new TaskJob(worker, this, logger ?? NullLogger.Instance)),
                ServerName = $"orchestrator-{Environment.MachineName}-{Environment.ProcessId}",
                Queues = queues is null ? [EnqueuedState.DefaultQueue] : [.. queues],
            },
            _storage);
    }

    /// <summary>Hangfire's storage, for its dashboard (/hangfire) to read the queues and jobs of this dispatcher.</summary>
    public JobStorage Storage => _storage;

    public void Enqueue(RunId runId, TaskId taskId, int tryNumber, string queue)
    {
        var hangfireQueue = _routeByQueue ? queue : EnqueuedState.DefaultQueue;
        switch (Lane(hangfireQueue).Add(new ReadyTry(runId, taskId, tryNumber)))
        {
            case DrainRequest.First:
                CreateDrain(hangfireQueue); // a lone ready task: its job at once, on this thread
                break;
            case DrainRequest.Another:
                // Part of a burst: the caller (the coordinator, dispatching a commit's ready tasks) must not wait for
                // Hangfire's job creation between tries, or the drains empty the lane after every try and end, and
                // each try costs a job again.
                ThreadPool.UnsafeQueueUserWorkItem(static state => state.Dispatcher.CreateDrain(state.Queue), (Dispatcher: this, Queue: hangfireQueue), preferLocal: false);
                break;
            default:
                break;
        }
    }

    // A Job built directly: enqueueing through an expression would compile it on every call.
    private void CreateDrain(string hangfireQueue)
    {
        _client.Create(new Job(typeof(TaskJob), DrainMethod, hangfireQueue, CancellationToken.None), new EnqueuedState(hangfireQueue));
    }

    internal ReadyTries Lane(string hangfireQueue) => _ready.GetOrAdd(hangfireQueue, _ => new ReadyTries(_workerCount));

    public void Dispose()
    {
        _server.SendStop();
        _server.Dispose();
        _storage.Dispose();
    }

    /// <summary>Gives Hangfire's jobs the engine's worker instead of constructing their own.</summary>
    private sealed class WorkerActivator(TaskJob job) : JobActivator
    {
        public override object ActivateJob(Type jobType) => jobType == typeof(TaskJob) ? job : base.ActivateJob(jobType);
    }
}

/// <summary>The Hangfire job: a drain of the tries dispatched to one queue of this process (see
/// <see cref="HangfireTaskDispatcher"/>).</summary>
public sealed class TaskJob
{
    private readonly TaskWorker _worker;
    private readonly HangfireTaskDispatcher _dispatcher;
    private readonly ILogger _logger;

    internal TaskJob(TaskWorker worker, HangfireTaskDispatcher dispatcher, ILogger logger) =>
        (_worker, _dispatcher, _logger) = (worker, dispatcher, logger);

    // A task's own retries are the engine's: Hangfire must not retry the job. A task's failure is a result, not an
    // exception; what throws is the engine's own trouble, logged here because Hangfire has no log of ours, and the
    // drain goes on with the next try.
    [AutomaticRetry(Attempts = 0)]
    public async Task DrainAsync(string queue, CancellationToken cancellationToken)
    {
        var lane = _dispatcher.Lane(queue);
        do
        {
            while (lane.TryTake(out var ready))
            {
                try
                {
                    await _worker.RunAsync(ready.RunId, ready.TaskId, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // The worker is stopping: this try is found running and recorded as lost on the next start, the
                    // tries still waiting here are queued in the store and dispatched again then.
                    throw;
                }
                catch (Exception exception)
                {
                    _logger.LogError(exception, "Task {TaskId} of run {RunId}: the worker failed", ready.TaskId, ready.RunId);
                }
            }
        }
        while (!lane.TryRetire());
    }
}
