using Hangfire;
using Hangfire.InMemory;
using Orchestrator.Core.Model;
using Orchestrator.Engine.Workers;

namespace Orchestrator.Engine.Dispatch;

/// <summary>Ready task instances go through Hangfire to a pool of workers: in-memory storage in embedded mode
/// (PostgreSQL storage in the distributed mode to come). A Hangfire job carries only (run, task); the worker reads
/// everything else from the engine, whose store is the record.</summary>
public sealed class HangfireTaskDispatcher : ITaskDispatcher, IDisposable
{
    private readonly JobStorage _storage;
    private readonly BackgroundJobClient _client;
    private readonly BackgroundJobServer _server;

    public HangfireTaskDispatcher(TaskWorker worker, int workerCount, JobStorage? storage = null)
    {
        _storage = storage ?? new InMemoryStorage();
        _client = new BackgroundJobClient(_storage);
        _server = new BackgroundJobServer(
            new BackgroundJobServerOptions
            {
                WorkerCount = workerCount,
                Activator = new WorkerActivator(worker),
                ServerName = $"orchestrator-{Environment.MachineName}-{Environment.ProcessId}",
            },
            _storage);
    }

    public void Enqueue(RunId runId, TaskId taskId, string queue) =>
        _client.Enqueue<TaskJob>(job => job.RunAsync(runId.Value, taskId.Value, CancellationToken.None));

    public void Dispose()
    {
        _server.SendStop();
        _server.Dispose();
        (_storage as IDisposable)?.Dispose();
    }

    /// <summary>Gives Hangfire's jobs the engine's worker instead of constructing their own.</summary>
    private sealed class WorkerActivator(TaskWorker worker) : JobActivator
    {
        public override object ActivateJob(Type jobType) =>
            jobType == typeof(TaskJob) ? new TaskJob(worker) : base.ActivateJob(jobType);
    }
}

/// <summary>The Hangfire job: runs one task instance on this worker.</summary>
public sealed class TaskJob(TaskWorker worker)
{
    // Hangfire retries a job whose method throws; a task's own retries are the engine's, so never throw here.
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(string runId, string taskId, CancellationToken cancellationToken) =>
        worker.RunAsync(new RunId(runId), new TaskId(taskId), cancellationToken);
}
