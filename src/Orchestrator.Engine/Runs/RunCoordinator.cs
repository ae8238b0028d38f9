using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Model;
using Orchestrator.Core.Runs;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Dispatch;
using Orchestrator.Execution.Tries;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Runs;

/// <summary>Drives runs: when a run starts and whenever one of its tasks finishes, the run's tracker decides the
/// downstream tasks, and the finished try, its output, the new states and the run's end are written in ONE store
/// transaction before the newly ready tasks are dispatched. No polling and no rescan of the DAG on this path.
/// A run found half-done in the store (after a restart) resumes: a try that was running is recorded as lost.</summary>
public sealed class RunCoordinator
{
    private readonly IMetadataStore _store;
    private readonly DagVersions _versions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<RunId, ActiveRun> _runs = new();
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private readonly ConcurrentDictionary<ITimer, byte> _retryTimers = new();
    private volatile bool _stopped;
    private readonly CancellationToken _stopping = CancellationToken.None; // a commit, once begun, is finished
    private ITaskDispatcher? _dispatcher;

    public RunCoordinator(IMetadataStore store, DagVersions versions, TimeProvider time, ILogger? logger = null)
    {
        _store = store;
        _versions = versions;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Raised after a run's final state is recorded.</summary>
    public event Action<RunId, DagRunState>? RunFinished;

    /// <summary>The dispatcher is attached after construction: its workers need this coordinator.</summary>
    public void Attach(ITaskDispatcher dispatcher) => _dispatcher = dispatcher;

    internal ActiveRun? Get(RunId runId) => _runs.GetValueOrDefault(runId);

    public IReadOnlyCollection<RunId> ActiveRuns => [.. _runs.Keys];

    /// <summary>Starts (or resumes) a queued or running run. False when it is unknown, finished, or already active.</summary>
    public async Task<bool> StartAsync(RunId runId, CancellationToken cancellationToken)
    {
        var record = await _store.Runs.GetAsync(runId, cancellationToken);
        if (record is null || record.State.IsFinished() || _runs.ContainsKey(runId))
        {
            return false;
        }

        var dag = _versions.Get(record.DagId, record.DagVersion)
            ?? throw new InvalidOperationException($"run {runId} needs version {record.DagVersion[..12]} of {record.DagId}, which is not loaded");
        var tracker = new RunTracker(dag.Graph, dag.Definition.Tasks);
        var instances = await _store.TaskInstances.ListAsync(runId, cancellationToken);
        foreach (var instance in instances.Where(i => i.State != TaskInstanceState.None))
        {
            tracker.Restore(dag.Graph.IndexOf(instance.TaskId), instance.State);
        }

        var active = new ActiveRun(record, dag, tracker, RunParams.Merge(dag.Definition.Params, record.Conf));
        foreach (var (taskId, json) in await _store.Outputs.GetAllAsync(runId, cancellationToken))
        {
            active.Outputs[taskId] = JsonDocument.Parse(json).RootElement.Clone();
        }

        if (!_runs.TryAdd(runId, active))
        {
            return false;
        }

        await active.Gate.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            var decisions = new List<TaskDecision>();
            tracker.Start(decisions);
            var plan = new CompletionPlan(active, now);
            plan.AddDecisions(decisions);
            if (record.State == DagRunState.Queued)
            {
                plan.StartRun();
            }

            await ResumeAsync(active, instances, plan, cancellationToken);
            await CommitAsync(active, plan, [], [], cancellationToken);
        }
        finally
        {
            active.Gate.Release();
        }

        return true;
    }

    /// <summary>Hands over a task instance's end; the run's tracker decides what follows and the decision is
    /// committed without the caller waiting (a worker's slot is for running tasks, not for recording them).
    /// Completions of one run that queue up while another commit is in flight are decided together and written in
    /// one transaction (group commit). <paramref name="recordedBefore"/> is what must be in the store first (the
    /// try's start and logs). The returned task ends when the completion is committed; its failure is also logged.</summary>
    public Task CompleteAsync(RunId runId, TaskId taskId, TaskInstanceResult result, Task? recordedBefore = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var active = _runs.GetValueOrDefault(runId) ?? throw new InvalidOperationException($"run {runId} is not active here");
        var completion = new PendingCompletion(taskId, result, recordedBefore ?? Task.CompletedTask);
        active.Pending.Enqueue(completion);
        if (Interlocked.CompareExchange(ref active.Committing, 1, 0) == 0)
        {
            Track(Task.Run(() => CommitQueueAsync(active)));
        }

        return completion.Done.Task;
    }

    /// <summary>On engine stop, after the workers: no more timed retries are queued here (the store keeps their
    /// next-try times for the next start), and what the workers finished is committed.</summary>
    public async Task StopAsync()
    {
        _stopped = true;
        foreach (var timer in _retryTimers.Keys)
        {
            await timer.DisposeAsync();
        }

        await DrainAsync();
    }

    /// <summary>Waits until every completion handed over so far is committed (or has failed and been logged).</summary>
    public async Task DrainAsync()
    {
        while (_inFlight.Keys.ToArray() is { Length: > 0 } pending)
        {
            await Task.WhenAll(pending);
        }
    }

    private void Track(Task work)
    {
        _inFlight.TryAdd(work, 0);
        work.ContinueWith(done => _inFlight.TryRemove(done, out _), TaskScheduler.Default);
    }

    private async Task CommitQueueAsync(ActiveRun active)
    {
        while (true)
        {
            await active.Gate.WaitAsync();
            try
            {
                while (!active.Pending.IsEmpty)
                {
                    await CommitPendingAsync(active, _stopping);
                }
            }
            catch (Exception exception)
            {
                // The store refused or failed: this engine's view of the run can no longer be trusted. Stop driving
                // it; its state in the store is intact and the next start of the engine resumes it from there.
                _runs.TryRemove(active.Record.RunId, out _);
                _logger.LogError(exception, "Run {RunId}: recording task completions failed; the run is no longer driven by this engine", active.Record.RunId);
                FailPending(active, exception);
                return;
            }
            finally
            {
                active.Gate.Release();
            }

            Volatile.Write(ref active.Committing, 0);
            // A completion queued after the last look but before the flag was cleared would wait forever: look again.
            if (active.Pending.IsEmpty || Interlocked.CompareExchange(ref active.Committing, 1, 0) != 0)
            {
                return;
            }
        }
    }

    private static void FailPending(ActiveRun active, Exception exception)
    {
        while (active.Pending.TryDequeue(out var left))
        {
            left.Done.TrySetException(exception);
        }
    }

    private async Task CommitPendingAsync(ActiveRun active, CancellationToken cancellationToken)
    {
        var group = new List<PendingCompletion>();
        while (active.Pending.TryDequeue(out var next))
        {
            group.Add(next);
        }

        try
        {
            await Task.WhenAll(group.Select(c => c.RecordedBefore)); // the tries' starts, usually already written
            var plan = new CompletionPlan(active, _time.GetUtcNow());
            var finishes = new List<TryFinish>();
            var outputs = new List<(RunId, TaskId, string)>();
            foreach (var (taskId, result) in group.Select(c => (c.TaskId, c.Result)))
            {
                var decisions = new List<TaskDecision>();
                active.Tracker.Complete(active.Dag.Graph.IndexOf(taskId), result.FinalState, decisions);
                plan.AddDecisions(decisions);
                if (result.Tries.Count > 0)
                {
                    var last = result.Tries[^1];
                    finishes.Add(new TryFinish(
                        active.Record.RunId, taskId, last.TryNumber, last.Outcome.ToName(), last.Error, last.EndedAt, result.FinalState,
                        result.FinalState == TaskInstanceState.Success ? $"try {last.TryNumber} succeeded" : last.Error));
                }

                if (result.Output is { } json)
                {
                    outputs.Add((active.Record.RunId, taskId, json.GetRawText()));
                }
            }

            await CommitAsync(active, plan, finishes, outputs, cancellationToken);
            foreach (var completion in group)
            {
                if (completion.Result.Output is { } value)
                {
                    active.Outputs[completion.TaskId] = value;
                }

                completion.Done.TrySetResult();
            }
        }
        catch (Exception exception)
        {
            foreach (var completion in group)
            {
                completion.Done.TrySetException(exception);
            }

            throw;
        }
    }

    private async Task CommitAsync(
        ActiveRun active, CompletionPlan plan, IReadOnlyList<TryFinish> finishes, IReadOnlyList<(RunId, TaskId, string)> outputs, CancellationToken cancellationToken)
    {
        var runEnd = active.Tracker.FinalRunState() is { } final ? plan.EndRun(final) : null;
        var batch = new StateChangeBatch(Transitions: plan.Transitions, Run: plan.RunTransition ?? runEnd)
        {
            MoreFinishedTries = finishes,
            MoreOutputs = outputs,
        };
        var result = await _store.ApplyAsync(batch, cancellationToken);
        if (!result.Applied)
        {
            throw new InvalidOperationException($"run {active.Record.RunId}: the store refused the change ({result.FailedCondition}); another engine may be driving this run");
        }

        if (plan.RunTransition is not null && runEnd is not null)
        {
            await _store.Runs.TryTransitionAsync(runEnd, cancellationToken); // started and finished in one step (all restored)
        }

        foreach (var (taskId, firstTry) in plan.Dispatch)
        {
            active.FirstTry[taskId] = firstTry;
            (_dispatcher ?? throw new InvalidOperationException("no dispatcher attached")).Enqueue(active.Record.RunId, taskId, active.Task(taskId).Queue);
        }

        if (runEnd is not null && _runs.TryRemove(active.Record.RunId, out _))
        {
            RunFinished?.Invoke(active.Record.RunId, runEnd.To);
        }
    }

    /// <summary>Tasks the store shows mid-way: queue them again; a try that was running when the engine stopped
    /// is recorded as lost and counts as a failed try.</summary>
    private async Task ResumeAsync(ActiveRun active, IReadOnlyList<TaskInstanceRecord> instances, CompletionPlan plan, CancellationToken cancellationToken)
    {
        foreach (var instance in instances)
        {
            switch (instance.State)
            {
                case TaskInstanceState.Scheduled:
                    plan.Queue(instance.TaskId, TaskInstanceState.Scheduled, instance.TryNumber + 1, "queued again after restart");
                    break;
                case TaskInstanceState.Queued:
                    plan.Dispatch.Add((instance.TaskId, instance.TryNumber + 1));
                    break;
                case TaskInstanceState.UpForRetry:
                    QueueRetryWhenDue(active, plan, instance.TaskId, instance.TryNumber + 1, instance.NextTryAt);
                    break;
                case TaskInstanceState.Running:
                    await RecordLostTryAsync(active, instance, plan, cancellationToken);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>A retry found waiting on resume: queued now when its time has come, else by a timer at its time
    /// (the worker that was waiting for it is gone).</summary>
    private void QueueRetryWhenDue(ActiveRun active, CompletionPlan plan, TaskId task, int tryNumber, DateTimeOffset? dueAt)
    {
        var wait = (dueAt ?? DateTimeOffset.MinValue) - _time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            plan.Queue(task, TaskInstanceState.UpForRetry, tryNumber, "retry queued after restart");
            return;
        }

        ITimer? timer = null;
        timer = _time.CreateTimer(state =>
        {
            if (timer is not null && _retryTimers.TryRemove(timer, out _))
            {
                timer.Dispose();
            }

            Track(QueueDueRetryAsync(active, task, tryNumber));
        }, null, wait, Timeout.InfiniteTimeSpan);
        _retryTimers.TryAdd(timer, 0);
    }

    private async Task QueueDueRetryAsync(ActiveRun active, TaskId task, int tryNumber)
    {
        if (_stopped || !_runs.ContainsKey(active.Record.RunId))
        {
            return; // the engine is stopping, or the run is no longer driven here
        }

        await active.Gate.WaitAsync();
        try
        {
            var plan = new CompletionPlan(active, _time.GetUtcNow());
            plan.Queue(task, TaskInstanceState.UpForRetry, tryNumber, $"retry {tryNumber} due");
            await CommitAsync(active, plan, [], [], _stopping);
        }
        catch (Exception exception)
        {
            _logger.LogError(exception, "Run {RunId}: queueing the retry of {TaskId} failed", active.Record.RunId, task);
        }
        finally
        {
            active.Gate.Release();
        }
    }

    private async Task RecordLostTryAsync(ActiveRun active, TaskInstanceRecord instance, CompletionPlan plan, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var retry = instance.TryNumber < instance.MaxTries;
        var next = retry ? TaskInstanceState.UpForRetry : TaskInstanceState.Failed;
        // A lost try counts as a failed one, so its retry waits the task's retry delay, as any failed try's does.
        var nextTryAt = now + active.Task(instance.TaskId).Retry.Delay;
        var lost = await _store.TaskInstances.TryFinishTryAsync(new TryFinish(
            instance.RunId, instance.TaskId, instance.TryNumber, "lost", "the engine stopped during this try", now, next,
            retry ? $"try lost when the engine stopped; try {instance.TryNumber + 1} at {nextTryAt:O}" : "try lost when the engine stopped; no tries left",
            retry ? nextTryAt : null), cancellationToken);
        if (!lost)
        {
            return; // another process closed it first
        }

        if (retry)
        {
            QueueRetryWhenDue(active, plan, instance.TaskId, instance.TryNumber + 1, nextTryAt);
            return;
        }

        var decisions = new List<TaskDecision>();
        var index = active.Dag.Graph.IndexOf(instance.TaskId);
        active.Tracker.Complete(index, TaskInstanceState.Failed, decisions);
        plan.AddDecisions(decisions);
    }
}
