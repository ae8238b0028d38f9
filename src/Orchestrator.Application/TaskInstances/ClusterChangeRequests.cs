using Orchestrator.Core.Model;
using Orchestrator.Engine.Cluster;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.TaskInstances;

/// <summary>A clear or mark of a run a cluster's scheduler drives: filed in the store, the schedulers woken, and the
/// outcome waited for. Nobody taking it in time withdraws it, so an operator told "not applied" is never surprised by
/// it later; once a scheduler took it, its decision is waited for a while longer.</summary>
internal static class ClusterChangeRequests
{
    /// <summary>How long a filed change may wait for a scheduler to take it.</summary>
    public static readonly TimeSpan TakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a taken change may take to be decided (its run's gate may be held by a commit).</summary>
    public static readonly TimeSpan DecideTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public static async Task<IReadOnlyList<TaskId>> ApplyAsync(
        IMetadataStore store, TimeProvider time, RunChangeRequest request, CancellationToken cancellationToken, TimeSpan? takeTimeout = null, TimeSpan? decideTimeout = null)
    {
        var (take, decide) = (takeTimeout ?? TakeTimeout, decideTimeout ?? DecideTimeout);
        if (await store.Leases.GetAsync(Engine.Hosting.EngineLease.Name, cancellationToken) is { } standalone && standalone.ExpiresAt > time.GetUtcNow())
        {
            throw ApplicationProblemException.Conflict(
                $"run {request.RunId} is not finished and the standalone engine {standalone.Owner} drives this store; only it may change the run's tasks: use its REST API or dashboard, or wait until the run has ended");
        }

        var id = await store.RunChanges.SubmitAsync(request, cancellationToken);
        await NotifyAsync(store, cancellationToken);
        var decided = await WaitAsync(store, time, id, take, cancellationToken);
        if (decided is null && await store.RunChanges.WithdrawAsync(id, time.GetUtcNow(), cancellationToken))
        {
            throw ApplicationProblemException.Conflict(
                $"no scheduler took the change of run {request.RunId} within {take.TotalSeconds:0.#} s, so it was withdrawn and nothing changed: is a scheduler running on this store? (a queued run is changed once a scheduler starts it)");
        }

        decided ??= await WaitAsync(store, time, id, decide, cancellationToken);
        return decided switch
        {
            { Status: RunChangeStatus.Applied } applied => [.. (applied.Outcome ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => new TaskId(t))],
            { Status: RunChangeStatus.Refused } refused => throw ApplicationProblemException.Conflict(refused.Outcome ?? "the run's scheduler refused the change"),
            _ => throw ApplicationProblemException.Conflict(
                $"scheduler {(await store.RunChanges.GetAsync(id, cancellationToken))?.DecidedBy ?? "?"} took the change of run {request.RunId} but did not decide it within {decide.TotalSeconds:0.#} s; it is still applied when that scheduler gets to it: look at the run again"),
        };
    }

    private static async Task<RunChangeRequest?> WaitAsync(IMetadataStore store, TimeProvider time, long id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            var request = await store.RunChanges.GetAsync(id, cancellationToken);
            if (request?.Status is RunChangeStatus.Applied or RunChangeStatus.Refused)
            {
                return request;
            }

            if (time.GetUtcNow() >= deadline)
            {
                return null;
            }

            await Task.Delay(Poll, time, cancellationToken);
        }
    }

    private static async Task NotifyAsync(IMetadataStore store, CancellationToken cancellationToken)
    {
        try
        {
            await store.Signals.NotifyAsync(ClusterRunChanges.Channel, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The schedulers also look at their report poll.
        }
    }
}
