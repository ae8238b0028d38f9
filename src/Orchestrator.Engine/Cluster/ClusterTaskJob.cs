using System.Reflection;
using Hangfire;
using Orchestrator.Core.Model;

namespace Orchestrator.Engine.Cluster;

/// <summary>One try named in a <see cref="ClusterBatchJob"/> (serialized into the Hangfire job's arguments).</summary>
public sealed class DispatchedTry
{
    public string RunId { get; set; } = "";

    public string TaskId { get; set; } = "";

    public int TryNumber { get; set; }
}

/// <summary>The Hangfire job of a cluster's dispatch: the tries one flush of a scheduler dispatched to one queue. It
/// is the durable fallback of the fast path: the worker that fetches it claims those tries that are still queued (the
/// per-try compare-and-set; a try a worker already claimed from the store is skipped) as its slots free, and runs
/// them like any other try.</summary>
public sealed class ClusterBatchJob(ClusterTaskWorker worker)
{
    internal static readonly MethodInfo RunMethod = typeof(ClusterBatchJob).GetMethod(nameof(RunAsync))!;

    // A task's retries are the engine's: Hangfire must not retry the job. Tries the job could not claim before the
    // worker stopped stay queued in the store, where any worker of the queue claims them.
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(string queue, DispatchedTry[] tries, CancellationToken cancellationToken) =>
        worker.ClaimAndStartAsync(tries.Select(t => (new RunId(t.RunId), new TaskId(t.TaskId), t.TryNumber)).ToList(), cancellationToken);
}

/// <summary>The Hangfire job of the first version (one try per job), still served so that jobs enqueued before an
/// upgrade run: the try is claimed by compare-and-set and run within the worker's slots.</summary>
public sealed class ClusterTaskJob(ClusterTaskWorker worker)
{
    internal static readonly MethodInfo RunMethod = typeof(ClusterTaskJob).GetMethod(nameof(RunAsync))!;

    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(string runId, string taskId, int tryNumber, CancellationToken cancellationToken) =>
        worker.RunAsync(new RunId(runId), new TaskId(taskId), tryNumber, cancellationToken);
}
