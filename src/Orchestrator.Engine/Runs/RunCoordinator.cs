using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Model;
using Orchestrator.Core.Runs;
using Orchestrator.Core.States;
using Orchestrator.Engine.Alerts;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Dispatch;
using Orchestrator.Engine.Events;
using Orchestrator.Core.Retries;
using Orchestrator.Execution.Tries;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Runs;

/// <summary>Drives runs: when a run starts and whenever one of its tasks finishes, the run's tracker decides the
/// downstream tasks, and the finished try, its output, the new states and the run's end are written in ONE store
/// transaction before the newly ready tasks are dispatched. No polling and no rescan of the DAG on this path.
/// A run found half-done in the store (after a restart) resumes: a try that was running is recorded as lost.</summary>
public sealed partial class RunCoordinator
{
    private readonly IMetadataStore _store;
    private readonly DagVersions _versions;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<RunId, ActiveRun> _runs = new();
    private readonly ConcurrentDictionary<Task, byte> _inFlight = new();
    private readonly ConcurrentDictionary<ITimer, byte> _retryTimers = new();
    private volatile bool _stopped;
    private volatile bool _abandoned;
    private readonly CancellationToken _stopping = CancellationToken.None; // a commit, once begun, is finished
    private readonly ILostTryCleaner _lostTries;
    private ITaskDispatcher? _dispatcher;

    /// <summary>A task lost or interrupted this many times in a row fails instead of running again: a task that
    /// brings the engine down must not do it forever.</summary>
    public const int MaxLostInARow = 3;

    /// <summary>The outcome of a try that was running when the engine died.</summary>
    public const string LostOutcome = "lost";

    /// <summary>The outcome of a try stopped because the engine was stopping.</summary>
    public const string InterruptedOutcome = "interrupted";

    public RunCoordinator(IMetadataStore store, DagVersions versions, TimeProvider time, ILogger? logger = null, ILostTryCleaner? lostTries = null)
    {
        _lostTries = lostTries ?? NoLostTryCleaner.Instance;
        _store = store;
        _versions = versions;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Where the engine's instruments are recorded (none when null).</summary>
    public Telemetry.EngineMetrics? Metrics { get; init; }

    /// <summary>The lease this coordinator must still hold for a run to write anything for it (a scheduler of a
    /// cluster drives a run under its lease); null: no fence (the embedded engine is the only writer).</summary>
    public Func<RunId, LeaseGrant?>? FenceFor { get; init; }

    /// <summary>Whether a DAG's successes are waited for (some DAG declares a <c>dagSucceeded</c> trigger on it): only
    /// then is a success recorded as an event, so the event list is not every run of every DAG. Null: always.</summary>
    public Func<DagId, bool>? SuccessIsAwaited { get; init; }

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
        foreach (var instance in instances)
        {
            active.MaxTries[instance.TaskId] = instance.MaxTries;
            active.LastTry[instance.TaskId] = instance.TryNumber;
        }

        foreach (var byTask in (await _store.TaskInstances.ListTriesAsync(runId, null, cancellationToken)).GroupBy(t => t.TaskId))
        {
            if (byTask.Any(t => t.EndedAt is null && t.LeaseUntil is not null))
            {
                active.Leased.Add(byTask.Key);
            }

            active.LostInARow[byTask.Key] = byTask.Where(t => t.Outcome is not null).OrderByDescending(t => t.TryNumber).TakeWhile(t => IsLost(t.Outcome)).Count();
        }

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
            var plan = new CompletionPlan(active, now) { MayCommitInPieces = true };
            plan.AddDecisions(decisions);
            if (record.State == DagRunState.Queued)
            {
                plan.StartRun();
            }

            await ResumeAsync(active, instances, plan, cancellationToken);
            await CommitAsync(active, plan, [], [], cancellationToken);
        }
        catch
        {
            // Not driven here after all (a piece may have committed): the next start or adoption, in this process or
            // another, begins again from the store.
            Drop(active, new InvalidOperationException($"run {runId} could not be started"));
            throw;
        }
        finally
        {
            active.Gate.Release();
        }

        return true;
    }

    /// <summary>Hands over a try's end. What follows is decided here: success or failure for the run's tracker, or a
    /// retry that waits in up_for_retry until its time (no worker waits for it); an interrupted try (the engine
    /// stopping) runs again without using up a retry. The decision is committed without the caller waiting (a
    /// worker's slot is for running tasks, not for recording them). Completions of one run that queue up while another
    /// commit is in flight are decided together and written in one transaction (group commit).
    /// <paramref name="recordedBefore"/> is what must be in the store first (the try's start and logs). The returned
    /// task ends when the completion is committed; its failure is also logged.</summary>
    public Task CompleteAsync(RunId runId, TaskId taskId, TryRecord attempt, Task? recordedBefore = null)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var active = _runs.GetValueOrDefault(runId) ?? throw new InvalidOperationException($"run {runId} is not active here");
        var completion = new PendingCompletion(taskId, attempt, recordedBefore ?? Task.CompletedTask);
        active.Pending.Enqueue(completion);
        if (Interlocked.CompareExchange(ref active.Committing, 1, 0) == 0)
        {
            Track(Task.Run(() => CommitQueueAsync(active)));
        }

        return completion.Done.Task;
    }

    /// <summary>On engine stop, before the workers are given their grace: no retry is queued from now on (the store
    /// keeps its due time and the next start queues it).</summary>
    public void BeginStop() => _stopped = true;

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

    /// <summary>For tests that emulate a crash in one process: from now on this coordinator records nothing and
    /// dispatches nothing, as if its process had died.</summary>
    internal async Task AbandonAsync()
    {
        _abandoned = true;
        _stopped = true;
        foreach (var timer in _retryTimers.Keys)
        {
            await timer.DisposeAsync();
        }
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
                if (active.Dropped)
                {
                    FailPending(active, new InvalidOperationException($"run {active.Record.RunId} is no longer driven by this engine"));
                }
                else
                {
                    while (!active.Pending.IsEmpty)
                    {
                        await CommitPendingAsync(active, _stopping);
                    }
                }
            }
            catch (Exception exception)
            {
                // The store refused or failed: this engine's view of the run can no longer be trusted. Stop driving
                // it; its state in the store is intact and the next start of the engine resumes it from there.
                _logger.LogError(exception, "Run {RunId}: recording task completions failed; the run is no longer driven by this engine", active.Record.RunId);
                Drop(active, exception);
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

    /// <summary>Stops driving <paramref name="active"/> here (under its gate): what is queued to it fails, and a
    /// completion that still reaches it fails too, instead of being committed from a view of the run that a fresh
    /// start of it (which may be this process's) no longer shares.</summary>
    private void Drop(ActiveRun active, Exception exception)
    {
        active.Dropped = true;
        _runs.TryRemove(KeyValuePair.Create(active.Record.RunId, active));
        FailPending(active, exception);
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
            var now = _time.GetUtcNow();
            var plan = new CompletionPlan(active, now) { MayCommitInPieces = true };
            var finishes = new List<TryFinish>();
            var outputs = new List<(RunId, TaskId, string)>();
            var reports = group.Where(c => c.FromReport).Select(c => (active.Record.RunId, c.TaskId, c.Attempt.TryNumber)).ToList();
            var retries = new List<(TaskId Task, int TryNumber, DateTimeOffset DueAt)>();
            foreach (var completion in group)
            {
                var finish = Decide(active, completion.TaskId, completion.Attempt, now, plan);
                finishes.Add(finish);
                if (finish.NextState == TaskInstanceState.UpForRetry)
                {
                    retries.Add((completion.TaskId, completion.Attempt.TryNumber + 1, finish.NextTryAt ?? now));
                }

                if (finish.NextState == TaskInstanceState.Success && completion.Attempt.Output is { } value)
                {
                    outputs.Add((active.Record.RunId, completion.TaskId, value.GetRawText()));
                    // Part of the run before anything downstream is dispatched: a worker may start it during the commit.
                    active.Outputs[completion.TaskId] = value;
                }
            }

            await CommitAsync(active, plan, finishes, outputs, cancellationToken, reports);
            foreach (var (task, tryNumber, dueAt) in retries)
            {
                ScheduleRetry(active, task, tryNumber, dueAt);
            }

            foreach (var completion in group)
            {
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

    /// <summary>What a finished try leads to. Success and a failure with no tries left go to the tracker, which decides
    /// downstream; a failure with tries left waits its backoff in up_for_retry; an interrupted try is run again at
    /// once, its try given back, unless the task has been lost or interrupted <see cref="MaxLostInARow"/> times.</summary>
    private static TryFinish Decide(ActiveRun active, TaskId taskId, TryRecord attempt, DateTimeOffset now, CompletionPlan plan)
    {
        var task = active.Task(taskId);
        active.LastTry[taskId] = attempt.TryNumber;
        var maxTries = active.MaxTries.GetValueOrDefault(taskId, task.Retry.MaxTries);
        var runId = active.Record.RunId;
        var outcome = attempt.Outcome == TryOutcome.Cancelled ? InterruptedOutcome : attempt.Outcome.ToName();
        TaskInstanceState next;
        string reason;
        DateTimeOffset? nextTryAt = null;
        int? newMaxTries = null;
        if (attempt.Outcome == TryOutcome.Success)
        {
            active.LostInARow[taskId] = 0;
            (next, reason) = (TaskInstanceState.Success, $"try {attempt.TryNumber} succeeded");
        }
        else if (attempt.Outcome == TryOutcome.Skipped)
        {
            // The task skipped itself: never retried; downstream tasks follow their trigger rules.
            active.LostInARow[taskId] = 0;
            (next, reason) = (TaskInstanceState.Skipped, $"skipped by the task: {attempt.Error}");
        }
        else if (attempt.Outcome == TryOutcome.Cancelled)
        {
            var lost = active.LostInARow.AddOrUpdate(taskId, 1, (_, n) => n + 1);
            if (lost >= MaxLostInARow)
            {
                (next, reason) = (TaskInstanceState.Failed, $"interrupted or lost {lost} times in a row; not tried again");
            }
            else
            {
                newMaxTries = maxTries + 1;
                active.MaxTries[taskId] = newMaxTries.Value;
                nextTryAt = now;
                (next, reason) = (TaskInstanceState.UpForRetry, $"try {attempt.TryNumber} interrupted when the engine stopped; try {attempt.TryNumber + 1} runs again (retries left unchanged)");
            }
        }
        else
        {
            active.LostInARow[taskId] = 0;
            if (RetryDecision.Retries(attempt.TryNumber, maxTries, attempt.ConfigurationError))
            {
                var delay = RetryDecision.Delay(task.Retry, attempt.TryNumber, Random.Shared.NextDouble());
                nextTryAt = attempt.EndedAt + delay;
                (next, reason) = (TaskInstanceState.UpForRetry, $"{attempt.Error}; try {attempt.TryNumber + 1} at {nextTryAt:O}");
            }
            else
            {
                // A configuration error (bad args) ends the task now: another try cannot change it.
                (next, reason) = (TaskInstanceState.Failed, RetryDecision.FinalFailureReason(attempt.Error, attempt.TryNumber, maxTries, attempt.ConfigurationError));
            }
        }

        if (next.IsFinished())
        {
            var decisions = new List<TaskDecision>();
            active.Tracker.Complete(active.Dag.Graph.IndexOf(taskId), next, decisions);
            plan.AddDecisions(decisions);
        }

        return new TryFinish(runId, taskId, attempt.TryNumber, outcome, attempt.Error, attempt.EndedAt, next, reason, nextTryAt, newMaxTries);
    }

    private async Task CommitAsync(
        ActiveRun active, CompletionPlan plan, IReadOnlyList<TryFinish> finishes, IReadOnlyList<(RunId, TaskId, string)> outputs, CancellationToken cancellationToken,
        IReadOnlyList<(RunId, TaskId, int)>? consumedReports = null)
    {
        if (_abandoned)
        {
            throw new InvalidOperationException("this coordinator was abandoned");
        }

        var runEnd = active.Tracker.FinalRunState() is { } final ? plan.EndRun(final) : null;
        // Thousands of ready tasks (a run's start, a wide fan-out) commit a piece at a time: workers start on the
        // first piece while the next commits, instead of after the whole (0.7 s for 10,000 on PostgreSQL). The
        // first piece is small, so that they start within milliseconds.
        var pieces = runEnd is null ? plan.SplitOff(FirstTasksPerCommit, TasksPerCommit) : [];
        var batch = new StateChangeBatch(Transitions: plan.Transitions, Run: plan.RunTransition ?? runEnd)
        {
            MoreFinishedTries = finishes,
            MoreOutputs = outputs,
            ConsumedReports = consumedReports ?? [],
            Fence = FenceFor?.Invoke(active.Record.RunId),
            // a test run (dags test) triggers nothing
            Events = runEnd is { To: DagRunState.Success } && !active.Record.IsTest && SuccessIsAwaited?.Invoke(active.Record.DagId) != false
                ? [RunEvents.Succeeded(active.Record, runEnd.At)] : [],
            Alerts = CallbackAlertRecords.ForCommit(active.Dag.Definition, active.Task, finishes, runEnd, plan.At),
            DecidesRequest = plan.DecidesRequest,
        };
        foreach (var (taskId, tryNumber) in plan.Dispatch.Concat(plan.Adopted))
        {
            // A worker may claim the try from the store as soon as this commits, and report it before the dispatch below.
            active.TryToRun[taskId] = tryNumber;
        }

        foreach (var (taskId, tryNumber) in plan.Adopted)
        {
            active.LastTry[taskId] = tryNumber;
        }

        var result = await _store.ApplyAsync(batch, cancellationToken);
        if (!result.Applied)
        {
            throw new StoreRefusedException($"run {active.Record.RunId}: the store refused the change ({result.FailedCondition}); another engine may be driving this run");
        }

        if (plan.RunTransition is not null && runEnd is not null)
        {
            await _store.Runs.TryTransitionAsync(runEnd, cancellationToken); // started and finished in one step (all restored)
        }

        foreach (var (taskId, tryNumber) in plan.Dispatch)
        {
            Dispatch(active, taskId, tryNumber, plan.At);
        }

        if (active.UsesPools)
        {
            NotePoolChanges(active, plan, batch.MoreFinishedTries.Count > 0);
        }

        if (plan.RunTransition is not null)
        {
            Metrics?.RunStarted();
        }

        if (runEnd is not null && _runs.TryRemove(active.Record.RunId, out _))
        {
            Metrics?.RunFinished(runEnd.To);
            RunFinished?.Invoke(active.Record.RunId, runEnd.To);
        }

        foreach (var piece in pieces)
        {
            await CommitAsync(active, piece, [], [], cancellationToken);
        }
    }

    // Ready tasks per commit when a plan readies more than TasksPerCommit (one grouped statement per transition step
    // and 500 tasks on PostgreSQL); the first commit takes fewer, and each next one twice as many, up to that.
    internal const int TasksPerCommit = 500;
    internal const int FirstTasksPerCommit = 100;

    /// <summary>Tasks the store shows mid-way: queue them again. A try that was running when the engine stopped is
    /// recorded as lost and runs again without using up a retry (its process group, when recorded, is stopped first).</summary>
    private async Task ResumeAsync(ActiveRun active, IReadOnlyList<TaskInstanceRecord> instances, CompletionPlan plan, CancellationToken cancellationToken)
    {
        // Lost tries' processes are stopped all at once: each may take the whole kill grace.
        // A try with a lease belongs to a worker process that may well be alive: it reports, or its lease runs out.
        var lost = instances.Where(i => i.State == TaskInstanceState.Running && !active.Leased.Contains(i.TaskId)).ToList();
        var stopped = await Task.WhenAll(lost.Select(i => _lostTries.StopAsync(i, cancellationToken)));
        var canReplace = lost.Select((instance, k) => (instance.TaskId, stopped[k])).ToDictionary(p => p.TaskId, p => p.Item2);
        foreach (var instance in instances)
        {
            switch (instance.State)
            {
                case TaskInstanceState.Scheduled:
                    plan.Ready(instance.TaskId, TaskInstanceState.Scheduled, instance.TryNumber + 1, "queued again after restart");
                    break;
                case TaskInstanceState.Queued:
                    plan.Dispatch.Add((instance.TaskId, instance.TryNumber + 1));
                    break;
                case TaskInstanceState.UpForRetry:
                    ScheduleRetry(active, instance.TaskId, instance.TryNumber + 1, instance.NextTryAt ?? _time.GetUtcNow());
                    break;
                case TaskInstanceState.Running when active.Leased.Contains(instance.TaskId):
                    active.TryToRun[instance.TaskId] = instance.TryNumber;
                    break;
                case TaskInstanceState.Running:
                    await RecordLostTryAsync(active, instance, canReplace[instance.TaskId], plan, cancellationToken);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>The one way a retry is queued, whether its try failed here or before a restart: a timer at its due
    /// time (at once when due) moves it up_for_retry → queued and dispatches it. Nothing holds a worker meanwhile.</summary>
    private void ScheduleRetry(ActiveRun active, TaskId task, int tryNumber, DateTimeOffset dueAt)
    {
        if (_stopped)
        {
            return; // the store keeps the due time; the next start schedules it
        }

        var wait = dueAt - _time.GetUtcNow();
        if (wait <= TimeSpan.Zero)
        {
            Track(Task.Run(() => QueueDueRetryAsync(active, task, tryNumber)));
            return;
        }

        ITimer? timer = null;
        timer = _time.CreateTimer(state =>
        {
            if (timer is not null && _retryTimers.TryRemove(timer, out _))
            {
                timer.Dispose();
            }

            if (_time.GetUtcNow() < dueAt)
            {
                ScheduleRetry(active, task, tryNumber, dueAt); // a timer may fire a few ms early: never start a retry before its time
                return;
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
            plan.Ready(task, TaskInstanceState.UpForRetry, tryNumber, $"retry {tryNumber} due");
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

    private Task RecordLostTryAsync(ActiveRun active, TaskInstanceRecord instance, bool stopped, CompletionPlan plan, CancellationToken cancellationToken) =>
        RecordLostTryAsync(active, instance, stopped, plan, "the engine stopped during this try", "lost when the engine stopped", cancellationToken);

    /// <summary>Records a try that will never report as lost (<paramref name="error"/>, <paramref name="how"/> for the
    /// reason): it runs again without using up a retry, unless the task was lost <see cref="MaxLostInARow"/> times in a
    /// row. Fenced like every write of the run.</summary>
    private async Task RecordLostTryAsync(
        ActiveRun active, TaskInstanceRecord instance, bool stopped, CompletionPlan plan, string error, string how, CancellationToken cancellationToken)
    {
        if (!stopped)
        {
            // Never two tries of one task at once: it stays running in the store, and an operator can see why.
            _logger.LogError("Run {RunId}: try {Try} of {TaskId} may still be running (its process could not be stopped); it is not replaced",
                instance.RunId, instance.TryNumber, instance.TaskId);
            return;
        }

        var now = _time.GetUtcNow();
        var lostInARow = active.LostInARow.AddOrUpdate(instance.TaskId, 1, (_, n) => n + 1);
        var retry = lostInARow < MaxLostInARow;
        var next = retry ? TaskInstanceState.UpForRetry : TaskInstanceState.Failed;
        var maxTries = instance.MaxTries + 1;
        var lost = (await _store.ApplyAsync(new StateChangeBatch(new TryFinish(
            instance.RunId, instance.TaskId, instance.TryNumber, LostOutcome, error, now, next,
            retry ? $"try {instance.TryNumber} {how}; try {instance.TryNumber + 1} runs again (retries left unchanged)"
                  : $"lost or interrupted {lostInARow} times in a row; not tried again",
            retry ? now : null, retry ? maxTries : null)) { Fence = FenceFor?.Invoke(instance.RunId) }, cancellationToken)).Applied;
        if (!lost)
        {
            return; // another process closed it first
        }

        if (retry)
        {
            active.MaxTries[instance.TaskId] = maxTries;
            ScheduleRetry(active, instance.TaskId, instance.TryNumber + 1, now);
            return;
        }

        var decisions = new List<TaskDecision>();
        var index = active.Dag.Graph.IndexOf(instance.TaskId);
        active.Tracker.Complete(index, TaskInstanceState.Failed, decisions);
        plan.AddDecisions(decisions);
    }

    private static bool IsLost(string? outcome) => outcome is LostOutcome or InterruptedOutcome;
}
