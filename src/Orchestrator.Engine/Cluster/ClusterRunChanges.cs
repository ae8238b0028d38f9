using Microsoft.Extensions.Logging;
using Orchestrator.Core.Model;
using Orchestrator.Engine.Runs;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Cluster;

/// <summary>Applies operators' clear and mark requests (<see cref="IRunChangeRequestStore"/>) to the runs this scheduler
/// drives, through its coordinator (so its decisions and the store agree, as in the embedded engine), and records each
/// outcome for the web server or CLI that filed it and waits for it.</summary>
public sealed class ClusterRunChanges(IMetadataStore store, RunCoordinator coordinator, string owner, TimeProvider time, ILogger logger)
{
    /// <summary>The signal a process sends after filing a request.</summary>
    public const string Channel = "orchestrator_run_changes";

    /// <summary>How long a filed request may wait to be taken: its filer waits this long, then withdraws it; a request
    /// still pending after this (its filer went away before withdrawing) is withdrawn by whichever scheduler sees it,
    /// so a change nobody was told about never happens later.</summary>
    public static readonly TimeSpan TakeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a decided request is kept. Its filer reads the decision within seconds (at most the take and
    /// decide timeouts); the rest is for an operator looking into what happened to a change, as in the task's history.</summary>
    public static readonly TimeSpan DecidedRetention = TimeSpan.FromDays(7);

    /// <summary>How often a scheduler purges decided requests: rarely, since they pile up only as fast as operators act.</summary>
    public static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    private DateTimeOffset? _lastPurge;

    public async Task ApplyPendingAsync(CancellationToken cancellationToken)
    {
        await PurgeDecidedAsync(cancellationToken);
        foreach (var request in await store.RunChanges.OpenAsync(cancellationToken))
        {
            if (request.Status == RunChangeStatus.Pending && time.GetUtcNow() - request.RequestedAt > TakeTimeout)
            {
                if (await store.RunChanges.WithdrawAsync(request.Id, time.GetUtcNow(), cancellationToken))
                {
                    logger.LogWarning("Run {RunId}: {Reason} of {TaskId} waited more than {Timeout} s without being taken: withdrawn, not applied",
                        request.RunId, request.Reason, request.TaskId, TakeTimeout.TotalSeconds);
                }

                continue;
            }

            // A request taken by a driver that died is this one's once it drives the run; one taken by the live
            // driver of a run driven here is this process's own (it stopped between taking and deciding).
            if (!coordinator.IsActive(request.RunId) || !await store.RunChanges.TakeAsync(request.Id, owner, time.GetUtcNow(), cancellationToken))
            {
                continue;
            }

            var (status, outcome, decided) = await ApplyAsync(request, cancellationToken);
            if (!decided)
            {
                // A refusal or a change with nothing to do wrote nothing: deciding it again after a crash here is harmless.
                await store.RunChanges.DecideAsync(request.Id, status, outcome, time.GetUtcNow(), cancellationToken);
            }

            logger.LogInformation("Run {RunId}: {Reason} of {TaskId} {Status}: {Outcome}", request.RunId, request.Reason, request.TaskId, status, outcome);
        }
    }

    /// <summary>Deletes requests decided more than <see cref="DecidedRetention"/> ago, at most once per
    /// <see cref="PurgeInterval"/> (every scheduler may; deleting twice is harmless).</summary>
    private async Task PurgeDecidedAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_lastPurge is { } last && now - last < PurgeInterval)
        {
            return;
        }

        _lastPurge = now;
        if (await store.RunChanges.PurgeDecidedAsync(now - DecidedRetention, cancellationToken) is var purged and > 0)
        {
            logger.LogInformation("Purged {Count} change request(s) decided more than {Days} days ago", purged, DecidedRetention.TotalDays);
        }
    }

    /// <summary>Applies the request; an applied change records its decision in its own transaction (decided: true), so a
    /// driver dying right after it leaves nothing for the next driver to apply again.</summary>
    private async Task<(RunChangeStatus Status, string Outcome, bool Decided)> ApplyAsync(RunChangeRequest request, CancellationToken cancellationToken)
    {
        ManualChangeResult? result;
        var taken = new TakenRequest(request.Id, owner);
        try
        {
            result = request.MarkState is { } state
                ? await coordinator.MarkAsync(request.RunId, request.TaskId, state, request.Reason, cancellationToken, taken)
                : await coordinator.ClearAsync(request.RunId, request.TaskId, request.Downstream, request.Reason, cancellationToken, taken);
        }
        catch (KeyNotFoundException)
        {
            return (RunChangeStatus.Refused, $"run {request.RunId} has no task '{request.TaskId}'", false);
        }

        return result switch
        {
            null => (RunChangeStatus.Refused, $"run {request.RunId} ended before the change was applied; change it again (a finished run is changed at once)", false),
            { Refusal: { } refusal } => (RunChangeStatus.Refused, refusal, false),
            _ => (RunChangeStatus.Applied, RunChangeDecision.OutcomeOf(result.Changed), result.RequestDecided),
        };
    }
}
