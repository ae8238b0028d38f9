using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Cluster;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.TaskInstances;

/// <summary>A clear or mark of a run a cluster's scheduler drives: filed in the store, the schedulers woken, and the
/// outcome waited for. Nobody taking it in time withdraws it, so an operator told "not applied" is never surprised by
/// it later; once a scheduler took it, its decision is waited for a while longer.</summary>
internal static class ClusterChangeRequests
{
    /// <summary>How long a taken change may take to be decided (its run's gate may be held by a commit).</summary>
    public static readonly TimeSpan DecideTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public static async Task<IReadOnlyList<TaskId>> ApplyAsync(
        IMetadataStore store, TimeProvider time, DagRunRecord run, RunChangeRequest request, CancellationToken cancellationToken,
        TimeSpan? takeTimeout = null, TimeSpan? decideTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (take, decide) = (takeTimeout ?? ClusterRunChanges.TakeTimeout, decideTimeout ?? DecideTimeout);
        await RefuseWhenNobodyCanTakeItAsync(store, time, run, cancellationToken);
        var id = await store.RunChanges.SubmitAsync(request, cancellationToken);
        RunChangeRequest? decided;
        try
        {
            await store.Signals.TryNotifyAsync(ClusterRunChanges.Channel, cancellationToken); // else the schedulers' poll
            decided = await WaitAsync(store, time, id, take, cancellationToken);
            if (decided is null && await store.RunChanges.WithdrawAsync(id, time.GetUtcNow(), cancellationToken))
            {
                throw NotTaken(run, take);
            }

            decided ??= await WaitAsync(store, time, id, decide, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The caller went away (a closed connection, a proxy's timeout): a change nobody hears about must not
            // happen later. Withdrawn unless a scheduler already took it.
            await store.RunChanges.WithdrawAsync(id, time.GetUtcNow(), CancellationToken.None);
            throw;
        }

        return decided switch
        {
            { Status: RunChangeStatus.Applied } applied => [.. (applied.Outcome ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => new TaskId(t))],
            { Status: RunChangeStatus.Refused } refused => throw ApplicationProblemException.Conflict(refused.Outcome ?? "the run's scheduler refused the change"),
            { Status: RunChangeStatus.Withdrawn } => throw NotTaken(run, take),
            _ => throw ApplicationProblemException.Conflict(
                $"scheduler {(await store.RunChanges.GetAsync(id, cancellationToken))?.DecidedBy ?? "?"} took the change of run {request.RunId} but did not decide it within {decide.TotalSeconds:0.#} s; it is still applied when that scheduler gets to it: look at the run again"),
        };
    }

    /// <summary>Answers at once, filing nothing, when no scheduler could take the change now: a standalone engine owns
    /// the store, the run is still queued, or no live scheduler holds the run's lease.</summary>
    private static async Task RefuseWhenNobodyCanTakeItAsync(IMetadataStore store, TimeProvider time, DagRunRecord run, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (await store.Leases.GetAsync(Engine.Hosting.EngineLease.Name, cancellationToken) is { } standalone && standalone.ExpiresAt > now)
        {
            throw ApplicationProblemException.Conflict(
                $"run {run.RunId} is not finished and the standalone engine {standalone.Owner} drives this store; only it may change the run's tasks: use its REST API or dashboard, or wait until the run has ended");
        }

        if (run.State == DagRunState.Queued)
        {
            throw ApplicationProblemException.Conflict($"run {run.RunId} is queued: a scheduler is about to start it; change its tasks once it runs or has ended");
        }

        var driver = await store.Leases.GetAsync(RunLeases.NameOf(run.RunId), cancellationToken);
        if (driver is null || driver.ExpiresAt <= now)
        {
            throw ApplicationProblemException.Conflict(
                $"no scheduler drives run {run.RunId} right now{(driver is null ? "" : $" (its scheduler {driver.Owner} stopped renewing its lease)")}: another scheduler takes it over within the lease timeout; try again then (is a scheduler running on this store?). Nothing was changed");
        }
    }

    private static ApplicationProblemException NotTaken(DagRunRecord run, TimeSpan take) => ApplicationProblemException.Conflict(
        $"the scheduler driving run {run.RunId} did not take the change within {take.TotalSeconds:0.#} s, so it was withdrawn and nothing changed; try again");

    private static async Task<RunChangeRequest?> WaitAsync(IMetadataStore store, TimeProvider time, long id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            var request = await store.RunChanges.GetAsync(id, cancellationToken);
            if (request?.Status is RunChangeStatus.Applied or RunChangeStatus.Refused or RunChangeStatus.Withdrawn)
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
}
