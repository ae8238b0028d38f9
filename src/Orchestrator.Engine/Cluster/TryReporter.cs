using Microsoft.Extensions.Logging;
using Orchestrator.Core.Model;
using Orchestrator.Core.TriggerRules;
using Orchestrator.Execution.Tries;
using Orchestrator.Loading;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Cluster;

/// <summary>How a worker's try ends: its report goes to the store (retried while the database is away, fenced by the
/// try), with the downstream task the same transaction may start on this worker (follow-on), and the run's scheduler
/// is woken. A retry whose earlier attempt committed without its answer arriving finds what that attempt did.</summary>
internal sealed class TryReporter(IMetadataStore store, ClusterOptions options, TimeProvider time, ILogger logger)
{
    // Each candidate costs a statement in the report's transaction when it is not ready.
    private const int MaxFollowCandidates = 4;

    // A join of more upstream tasks is left to the scheduler: every upstream's report would count all the others'
    // states (work growing with the square of the width: 20 s of database time for a 1,500-way join), to start it once.
    internal const int MaxFollowUpstreams = 16;

    private readonly Polly.ResiliencePipeline _retry = StoreRetry.Create(logger, time, "Recording a try's end");

    // One NOTIFY for the reports of every try that ended while the last one was being sent.
    private readonly Concurrency.CoalescedPass _signalReports = new(
        async token => await store.Signals.TryNotifyAsync(ClusterDriving.ReportsChannel, token), CancellationToken.None);

    private string WorkerId => options.ProcessName;

    /// <summary>The downstream tasks of <paramref name="task"/> a worker of <paramref name="queues"/> may start right
    /// after it succeeds: all_success, without a pool (a pool's slots are the pool admitter's to give) and of at most
    /// <see cref="MaxFollowUpstreams"/> upstream tasks, highest priority weight first. Null when none.</summary>
    public static FollowOn? FollowOn(LoadedDag dag, int task, IReadOnlySet<string> queues, DateTimeOffset leaseUntil)
    {
        ArgumentNullException.ThrowIfNull(dag);
        var taskId = dag.Graph.TaskIds[task];
        var candidates = dag.Graph.Downstream(task)
            .Select(i => dag.Definition.Tasks[i])
            .Where(t => t.TriggerRule == TriggerRule.AllSuccess && t.Pool is null && queues.Contains(t.Queue) && t.DependsOn.Distinct().Count() <= MaxFollowUpstreams)
            .OrderByDescending(t => t.PriorityWeight)
            .Take(MaxFollowCandidates)
            .Select(t => new FollowCandidate(t.Id, [.. t.DependsOn.Where(u => u != taskId)]))
            .ToList();
        return candidates.Count == 0 ? null : new FollowOn(candidates, [.. queues], leaseUntil);
    }

    /// <summary>Reports a try's end and returns the try the report started next on this worker, if any, with the time
    /// it started. <paramref name="runningHere"/> says whether a try already runs on this worker.</summary>
    public async Task<(ClaimedTry? Next, DateTimeOffset StartedAt)> ReportAsync(
        RunId runId, TryRecord attempt, bool recordedLost, FollowOn? follow, Func<(RunId, TaskId, int), bool> runningHere)
    {
        var report = new TryReport(runId, attempt.TaskId, attempt.TryNumber, WorkerId, attempt.Outcome.ToName(), attempt.Error, attempt.ConfigurationError,
            attempt.StartedAt, attempt.EndedAt, attempt.Output?.GetRawText(), time.GetUtcNow());
        var result = await _retry.ExecuteAsync(async token =>
        {
            // Stamped per attempt: after a database outage the next try's start and lease are those of the attempt
            // that commits, not of the first (its lease could already have run out).
            var now = time.GetUtcNow();
            report = report with { ReportedAt = now };
            var outcome = await store.TryReports.ReportAsync(report, follow is null ? null : follow with { LeaseUntil = now + options.LeaseTimeout }, token);
            return outcome.Accepted ? outcome : await EarlierCommitAsync(report, follow, runningHere, token) ?? outcome;
        }, CancellationToken.None);
        if (result.Accepted)
        {
            _ = _signalReports.RequestAsync(); // the scheduler looks now; its poll finds the report if the signal is lost
        }
        else
        {
            logger.LogWarning("Try {Try} of {TaskId} in {RunId} ended ({Outcome}) but was already recorded lost{How}: its result is not used, another try replaces it",
                attempt.TryNumber, attempt.TaskId, runId, report.Outcome, recordedLost ? " (stopped here when that was noticed)" : "");
        }

        return (result.Followed, report.ReportedAt);
    }

    /// <summary>A report refused on a retry may be this worker's own, committed by an attempt whose answer was lost:
    /// then it is still waiting (with the try it started named), or the scheduler already recorded it (the try ended
    /// with this outcome) and the try it started is one of the candidates, open on this worker and not running here.
    /// Null when neither: the try was recorded lost.</summary>
    private async Task<ReportResult?> EarlierCommitAsync(
        TryReport report, FollowOn? follow, Func<(RunId, TaskId, int), bool> runningHere, CancellationToken cancellationToken)
    {
        var runId = report.RunId;
        var waiting = (await store.TryReports.ListAsync([runId], 10_000, cancellationToken))
            .FirstOrDefault(r => r.TaskId == report.TaskId && r.TryNumber == report.TryNumber && r.WorkerId == WorkerId);
        if (waiting is not null)
        {
            return new ReportResult(true, waiting is { FollowedTask: { } task, FollowedTry: { } number } ? await FollowedAsync(runId, task, number, cancellationToken) : null);
        }

        var tries = await store.TaskInstances.ListTriesAsync(runId, report.TaskId, cancellationToken);
        if (!tries.Any(t => t.TryNumber == report.TryNumber && t.WorkerId == WorkerId && t.EndedAt is not null && t.Outcome == report.Outcome))
        {
            return null;
        }

        foreach (var candidate in follow?.Candidates ?? [])
        {
            var open = (await store.TaskInstances.ListTriesAsync(runId, candidate.TaskId, cancellationToken))
                .FirstOrDefault(t => t.WorkerId == WorkerId && t.EndedAt is null && !runningHere((runId, candidate.TaskId, t.TryNumber)));
            if (open is not null)
            {
                return new ReportResult(true, await FollowedAsync(runId, candidate.TaskId, open.TryNumber, cancellationToken));
            }
        }

        return new ReportResult(true);
    }

    private async Task<ClaimedTry?> FollowedAsync(RunId runId, TaskId taskId, int tryNumber, CancellationToken cancellationToken) =>
        await store.TaskInstances.GetAsync(runId, taskId, cancellationToken) is { } instance
            ? new ClaimedTry(runId, taskId, tryNumber, instance.MaxTries) : null;
}
