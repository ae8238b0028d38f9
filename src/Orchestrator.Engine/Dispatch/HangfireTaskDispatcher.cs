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

/// <summary>Ready task instances go through Hangfire to a pool of workers: in-memory storage in embedded mode
/// (PostgreSQL storage in the distributed mode). A Hangfire job carries only (run, task); the worker reads
/// everything else from the engine, whose store is the record.</summary>
public sealed class HangfireTaskDispatcher : ITaskDispatcher, IDisposable
{
    private static readonly MethodInfo RunMethod = typeof(TaskJob).GetMethod(nameof(TaskJob.RunAsync))!;

    private readonly JobStorage _storage;
    private readonly BackgroundJobClient _client;
    private readonly BackgroundJobServer _server;
    private readonly bool _routeByQueue;

    /// <param name="worker">Runs the jobs this process's Hangfire server takes.</param>
    /// <param name="workerCount">Tasks run at once by this process.</param>
    /// <param name="queues">The task queues these workers serve, each a Hangfire queue of the same name. Null: one
    /// pool serves every task whatever its queue (embedded mode, like Airflow's local executor).</param>
    /// <param name="storage">Hangfire's storage. Default: in memory.</param>
    /// <param name="logger">Where a worker's own failure is logged.</param>
    public HangfireTaskDispatcher(TaskWorker worker, int workerCount, IReadOnlyList<string>? queues = null, JobStorage? storage = null, ILogger? logger = null)
    {
        if (queues?.FirstOrDefault(q => !TaskDefinition.IsValidQueueName(q)) is { } invalid)
        {
            throw new ArgumentException($"queue '{invalid}' must be 1-64 lowercase letters, digits, '_' or '-'", nameof(queues));
        }

        _routeByQueue = queues is not null;
        _storage = storage ?? new InMemoryStorage();
        _client = new BackgroundJobClient(_storage);
        _server = new BackgroundJobServer(
            new BackgroundJobServerOptions
            {
                WorkerCount = workerCount,
                Activator = new WorkerActivator(worker, logger ?? NullLogger.Instance),
                ServerName = $"orchestrator-{Environment.MachineName}-{Environment.ProcessId}",
                Queues = queues is null ? [EnqueuedState.DefaultQueue] : [.. queues],
            },
            _storage);
    }

    /// <summary>Hangfire's storage, for its dashboard (/hangfire) to read the queues and jobs of this dispatcher.</summary>
    public JobStorage Storage => _storage;

    public void Enqueue(RunId runId, TaskId taskId, int tryNumber, string queue)
    {
        // A Job built directly: enqueueing through an expression would compile it on every call.
        var job = new Job(typeof(TaskJob), RunMethod, runId.Value, taskId.Value, CancellationToken.None);
        _client.Create(job, new EnqueuedState(_routeByQueue ? queue : EnqueuedState.DefaultQueue));
    }

    public void Dispose()
    {
        _server.SendStop();
        _server.Dispose();
        (_storage as IDisposable)?.Dispose();
    }

    /// <summary>Gives Hangfire's jobs the engine's worker instead of constructing their own.</summary>
    private sealed class WorkerActivator(TaskWorker worker, ILogger logger) : JobActivator
    {
        public override object ActivateJob(Type jobType) =>
            jobType == typeof(TaskJob) ? new TaskJob(worker, logger) : base.ActivateJob(jobType);
    }
}

/// <summary>The Hangfire job: runs one task instance on this worker.</summary>
public sealed class TaskJob(TaskWorker worker, ILogger logger)
{
    // A task's own retries are the engine's: Hangfire must not retry the job. A task's failure is a result, not an
    // exception; what throws here is the engine's own trouble, logged because Hangfire has no log of ours.
    [AutomaticRetry(Attempts = 0)]
    public async Task RunAsync(string runId, string taskId, CancellationToken cancellationToken)
    {
        try
        {
            await worker.RunAsync(new RunId(runId), new TaskId(taskId), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw; // the worker is stopping; the try is found running and recorded as lost on the next start
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "Task {TaskId} of run {RunId}: the worker failed", taskId, runId);
            throw;
        }
    }
}
