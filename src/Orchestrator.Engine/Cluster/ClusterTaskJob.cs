using System.Reflection;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Orchestrator.Core.Model;
using Orchestrator.Engine.Dispatch;

namespace Orchestrator.Engine.Cluster;

/// <summary>The Hangfire job of a cluster: one try of one task instance, run by whichever worker process serving the
/// task's queue fetches it.</summary>
public sealed class ClusterTaskJob(ClusterTaskWorker worker)
{
    internal static readonly MethodInfo RunMethod = typeof(ClusterTaskJob).GetMethod(nameof(RunAsync))!;

    // A task's retries are the engine's: Hangfire must not retry the job. A job cancelled by the worker's shutdown is
    // given back to the queue by Hangfire.
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(string runId, string taskId, int tryNumber, CancellationToken cancellationToken) =>
        worker.RunAsync(new RunId(runId), new TaskId(taskId), tryNumber, cancellationToken);
}

/// <summary>A scheduler's dispatcher: enqueues each ready try as a <see cref="ClusterTaskJob"/> in its task's queue,
/// retrying while the database is unreachable (a dispatch is never dropped).</summary>
public sealed class ClusterDispatcher(JobStorage storage, Polly.ResiliencePipeline retry) : ITaskDispatcher
{
    private readonly BackgroundJobClient _client = new(storage);

    public void Enqueue(RunId runId, TaskId taskId, int tryNumber, string queue)
    {
        var job = new Job(typeof(ClusterTaskJob), ClusterTaskJob.RunMethod, runId.Value, taskId.Value, tryNumber, CancellationToken.None);
        retry.Execute(() => _client.Create(job, new EnqueuedState(queue)));
    }
}
