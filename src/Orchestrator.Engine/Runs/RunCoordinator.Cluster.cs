using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Execution.Tries;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Runs;

// What a scheduler of a cluster adds: tries run by worker processes come back as reports in the store, tries whose
// worker stopped heartbeating are recorded lost, and a run whose lease passed to another scheduler is let go.
public sealed partial class RunCoordinator
{
    /// <summary>The error of a try whose worker process stopped heartbeating before it reported.</summary>
    public const string WorkerLostError = "worker lost";

    /// <summary>Hands over a try a worker process reported (<see cref="Storage.ITryReportStore"/>): decided and committed
    /// like a local try's end, the report deleted in the same transaction. A report of a run not driven here, of a try
    /// that is not the one dispatched, or already handed over, is left alone (false).</summary>
    public bool CompleteReported(TryReport report) => CompleteReported(report, out _);

    /// <summary>As <see cref="CompleteReported(TryReport)"/>; <paramref name="recorded"/> ends when the report's
    /// completion is committed (or has failed and been logged).</summary>
    public bool CompleteReported(TryReport report, out Task recorded)
    {
        recorded = Task.CompletedTask;
        ArgumentNullException.ThrowIfNull(report);
        if (!_runs.TryGetValue(report.RunId, out var active)
            || (active.TryToRun.GetValueOrDefault(report.TaskId) != report.TryNumber && active.Followed.GetValueOrDefault(report.TaskId) != report.TryNumber)
            || active.Tracker.StateOf(active.Dag.Graph.IndexOf(report.TaskId)).IsFinished())
        {
            return false;
        }

        lock (active.ReportsInFlight)
        {
            if (!active.ReportsInFlight.Add((report.TaskId, report.TryNumber)))
            {
                return false;
            }
        }

        // Only while the task is undecided here: after a resume the tracker already shows the followed try running,
        // and an entry left behind would later swallow a real decision (a clear) as an adoption.
        if (report.FollowedTask is { } followed && report.FollowedTry is { } followedTry
            && active.Dag.Graph.TryGetIndex(followed, out var followedIndex) && active.Tracker.StateOf(followedIndex) == TaskInstanceState.None)
        {
            // Before the completion is queued: the committer adopts the try when it decides the task ready.
            active.Followed[followed] = followedTry;
        }

        var attempt = new TryRecord(report.TaskId, report.TryNumber, report.StartedAt, report.EndedAt, OutcomeOf(report.Outcome), report.Error,
            report.Output is { } json ? JsonDocument.Parse(json).RootElement.Clone() : null, [])
        {
            ConfigurationError = report.ConfigurationError,
        };
        var completion = new PendingCompletion(report.TaskId, attempt, Task.CompletedTask, fromReport: true);
        _ = completion.Done.Task.ContinueWith(_ =>
        {
            lock (active.ReportsInFlight)
            {
                active.ReportsInFlight.Remove((report.TaskId, report.TryNumber));
            }
        }, TaskScheduler.Default);
        active.Pending.Enqueue(completion);
        if (Interlocked.CompareExchange(ref active.Committing, 1, 0) == 0)
        {
            Track(Task.Run(() => CommitQueueAsync(active)));
        }

        recorded = completion.Done.Task;
        return true;
    }

    /// <summary>Records a try whose worker stopped heartbeating (its lease ran out) as lost with the error
    /// <see cref="WorkerLostError"/>; it runs again without using up a retry. A report the worker makes later is
    /// refused: the try is no longer open. False when the run is not driven here or that try is no longer running.</summary>
    public async Task<bool> RecordWorkerLostAsync(ExpiredTry expired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expired);
        if (!_runs.TryGetValue(expired.RunId, out var active))
        {
            return false;
        }

        await active.Gate.WaitAsync(cancellationToken);
        try
        {
            if (!_runs.ContainsKey(expired.RunId) || active.TryToRun.GetValueOrDefault(expired.TaskId) != expired.TryNumber)
            {
                return false;
            }

            var instance = await _store.TaskInstances.GetAsync(expired.RunId, expired.TaskId, cancellationToken);
            if (instance is not { State: TaskInstanceState.Running } || instance.TryNumber != expired.TryNumber)
            {
                return false;
            }

            var plan = new CompletionPlan(active, _time.GetUtcNow());
            await RecordLostTryAsync(active, instance, stopped: true, plan, WorkerLostError,
                $"lost: worker {expired.WorkerId ?? "?"} stopped heartbeating (its lease ended {expired.LeaseUntil:O})", cancellationToken);
            await CommitAsync(active, plan, [], [], _stopping);
            _logger.LogWarning("Run {RunId}: try {Try} of {TaskId} lost with worker {Worker} (no heartbeat since its lease ended {LeaseUntil:O})",
                expired.RunId, expired.TryNumber, expired.TaskId, expired.WorkerId, expired.LeaseUntil);
            return true;
        }
        finally
        {
            active.Gate.Release();
        }
    }

    /// <summary>Stops driving a run without writing anything: its lease passed to another scheduler, which resumes it
    /// from the store. Completions not yet committed are dropped; their reports stay for the new driver.</summary>
    public bool Release(RunId runId) => _runs.TryRemove(runId, out _);

    private static TryOutcome OutcomeOf(string name) => name switch
    {
        "success" => TryOutcome.Success,
        "failed" => TryOutcome.Failed,
        "timed_out" => TryOutcome.TimedOut,
        "skipped" => TryOutcome.Skipped,
        _ => TryOutcome.Cancelled,
    };
}
