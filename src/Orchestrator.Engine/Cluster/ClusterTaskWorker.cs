using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.Runs;
using Orchestrator.Core.Secrets;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Workers;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Cluster;

/// <summary>Runs the tries of a worker process, at most <c>concurrency</c> at once (<see cref="Slots"/>). A try reaches
/// it claimed from the store in a batch (<see cref="StartClaimed"/>, the fast path) or named in a Hangfire job
/// (<see cref="ClaimAndStartAsync"/>, the fallback), which claims it by compare-and-set first: a try taken by the other
/// path, or by another worker, is skipped. Everything comes from the store: the run, the DAG version it is pinned
/// to, its params and its upstream outputs. A try runs while the worker's heartbeat extends its lease, and ends as a
/// report in the store that the run's scheduler records. A try recorded lost meanwhile (the lease ran out) is
/// stopped, and its late report refused.</summary>
public sealed class ClusterTaskWorker(
    IMetadataStore store, DagCatalog versions, TaskTypeRegistry registry, ClusterOptions options, TimeProvider time, ILogger logger,
    ITrySecretsSource? secrets = null, LogLimits? logLimits = null, int concurrency = 1) : IDisposable
{
    private readonly TaskInstanceRunner _runner = new(registry, time);
    private readonly ConcurrentDictionary<(RunId, TaskId, int), CancellationTokenSource> _running = new();
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _interrupt = new();

    private readonly TryReporter _reporter = new(store, options, time, logger);
    // Reads and writes around a running try wait out a database restart instead of failing the try.
    private readonly Polly.ResiliencePipeline _outageRetry = StoreRetry.Create(logger, time, "A try's read or write", onlyOutages: true);

    // What a try reads of its run never changes (DAG, version, logical date, type, conf): one read per run, not per try.
    private readonly ConcurrentDictionary<RunId, DagRunRecord> _runs = new();

    public string WorkerId => options.ProcessName;

    /// <summary>The queues whose tasks this worker starts itself right after an upstream try of its own succeeds
    /// (<see cref="FollowOn"/>, in the report's transaction, in the same slot): the next task of a chain starts
    /// without waiting for a scheduler. Null: never (each try then waits for a claim).</summary>
    public IReadOnlySet<string>? FollowQueues { get; init; }

    /// <summary>How long a try has held a slot here lately (claim or follow-on to its end, a moving average); null
    /// before the first. The fast path claims ahead only as many tries as this lets start soon.</summary>
    public TimeSpan? RecentTryTime => Volatile.Read(ref _recentTryTicks) is var ticks and >= 0 ? TimeSpan.FromTicks(ticks) : null;

    private long _recentTryTicks = -1;

    private void RecordTryTime(TimeSpan took)
    {
        var before = Volatile.Read(ref _recentTryTicks);
        // Weighted to the last few tries: a DAG of long tasks after short ones stops the claiming ahead quickly.
        Volatile.Write(ref _recentTryTicks, before < 0 ? took.Ticks : (long)((before * 0.7) + (took.Ticks * 0.3)));
    }

    /// <summary>The tries run here at once, shared by the fast path and Hangfire's jobs.</summary>
    internal WorkerSlots Slots { get; } = new(concurrency);

    /// <summary>Raised after a try ended here and freed its slot: the fast path looks for more work at once.</summary>
    internal event Action? TryEnded;

    /// <summary>The tries running here now, for the heartbeat's check that each is still this worker's.</summary>
    public IReadOnlyCollection<(RunId Run, TaskId Task, int Try)> Running => [.. _running.Keys];

    /// <summary>Claims one try by compare-and-set once a slot is free, and runs it to its report (a job of the first
    /// version; tests).</summary>
    public async Task RunAsync(RunId runId, TaskId taskId, int tryNumber, CancellationToken cancellationToken)
    {
        // Past the stop grace: Hangfire gives the job back to the queue.
        cancellationToken.ThrowIfCancellationRequested();
        await Slots.TakeAsync(cancellationToken);
        DateTimeOffset claimedAt;
        try
        {
            claimedAt = time.GetUtcNow();
            if (!await TryClaimAsync(runId, taskId, tryNumber, claimedAt, cancellationToken))
            {
                Slots.Release();
                return;
            }
        }
        catch
        {
            Slots.Release();
            throw;
        }

        await RunHeldAsync(runId, taskId, tryNumber, null, claimedAt, null, cancellationToken);
    }

    /// <summary>A Hangfire batch job's tries: each still queued is claimed by compare-and-set when a slot frees, and
    /// started; the job ends when every try is started or skipped. Once the worker stops, the rest are left queued in
    /// the store for any worker of the queue.</summary>
    public async Task ClaimAndStartAsync(IReadOnlyList<(RunId Run, TaskId Task, int Try)> tries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tries);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        foreach (var (runId, taskId, tryNumber) in tries)
        {
            try
            {
                await Slots.TakeAsync(stop.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }

            try
            {
                var claimedAt = time.GetUtcNow();
                if (await TryClaimAsync(runId, taskId, tryNumber, claimedAt, stop.Token))
                {
                    StartHeld(runId, taskId, tryNumber, null, claimedAt);
                }
                else
                {
                    Slots.Release();
                }
            }
            catch
            {
                Slots.Release();
                throw;
            }
        }
    }

    /// <summary>Runs a try this worker claimed from the store (<see cref="ITaskInstanceStore.ClaimQueuedAsync"/>) in
    /// the background, in a slot the caller took for it.</summary>
    internal void StartClaimed(ClaimedTry claimed, ClaimBatch claim) => StartHeld(claimed.RunId, claimed.TaskId, claimed.TryNumber, claimed.MaxTries, claim.ClaimedAt, claim);

    private async Task<bool> TryClaimAsync(RunId runId, TaskId taskId, int tryNumber, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await store.TaskInstances.TryStartTryAsync(new TryStart(runId, taskId, tryNumber, WorkerId, now, now + options.LeaseTimeout), cancellationToken))
        {
            return true;
        }

        logger.LogDebug("Try {Try} of {TaskId} in {RunId} is not queued any more (taken, or decided otherwise): skipped", tryNumber, taskId, runId);
        return false;
    }

    private void StartHeld(RunId runId, TaskId taskId, int tryNumber, int? maxTries, DateTimeOffset claimedAt, ClaimBatch? claim = null)
    {
        var run = Task.Run(async () =>
        {
            try
            {
                await RunHeldAsync(runId, taskId, tryNumber, maxTries, claimedAt, claim, CancellationToken.None);
            }
            catch (Exception exception)
            {
                // Left running in the store: its lease runs out once this worker stops heartbeating it, and it is retried.
                logger.LogError(exception, "Try {Try} of {TaskId} in {RunId} ended without a report on worker {Worker}", tryNumber, taskId, runId, WorkerId);
            }
        });
        _background.TryAdd(run, 0);
        _ = run.ContinueWith(done => _background.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Runs a claimed try in the slot it holds and reports it; runs the try its report started next, if any
    /// (<see cref="FollowQueues"/>), in the same slot. The slot is freed as soon as no try can follow on, before a
    /// last report commits: the next claim overlaps that commit, and reports of tries ending together share one.</summary>
    private async Task RunHeldAsync(RunId runId, TaskId taskId, int tryNumber, int? maxTries, DateTimeOffset claimedAt, ClaimBatch? claim, CancellationToken stopping)
    {
        var freed = 0;
        void Free()
        {
            if (Interlocked.Exchange(ref freed, 1) == 0)
            {
                Slots.Release();
                TryEnded?.Invoke();
            }
        }

        try
        {
            var (next, startedAt) = await RunOneAsync(runId, taskId, tryNumber, maxTries, claimedAt, claim, Free, stopping);
            while (next is { } follow)
            {
                (next, startedAt) = await RunOneAsync(follow.RunId, follow.TaskId, follow.TryNumber, follow.MaxTries, startedAt, null, Free, stopping);
            }
        }
        finally
        {
            Free();
        }
    }

    // free() releases the slot; it is called before the report when the report cannot start a follow-on.
    private async Task<(ClaimedTry? Next, DateTimeOffset StartedAt)> RunOneAsync(
        RunId runId, TaskId taskId, int tryNumber, int? maxTries, DateTimeOffset claimedAt, ClaimBatch? claim, Action free, CancellationToken stopping)
    {
        using var lost = new CancellationTokenSource();
        _running[(runId, taskId, tryNumber)] = lost; // until its report commits: the heartbeat keeps its lease meanwhile
        try
        {
            using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(stopping, _interrupt.Token);
            var began = time.GetTimestamp();
            var attempt = await RunClaimedAsync(runId, taskId, tryNumber, maxTries, claimedAt, claim, lost.Token, interrupted.Token);
            RecordTryTime(time.GetElapsedTime(began));
            var follow = attempt.Outcome == TryOutcome.Success && !lost.IsCancellationRequested && !stopping.IsCancellationRequested
                ? await FollowOnAsync(runId, taskId) : null;
            if (follow is null)
            {
                free();
            }

            return await _reporter.ReportAsync(runId, attempt, lost.IsCancellationRequested, follow, key => _running.ContainsKey(key));
        }
        finally
        {
            _running.TryRemove((runId, taskId, tryNumber), out _);
        }
    }

    /// <summary>The downstream tasks this worker may start right after <paramref name="taskId"/> succeeds: of its
    /// <see cref="FollowQueues"/>, all_success and without a pool (a pool's slots are the pool admitter's to give),
    /// highest priority weight first. Null when none, or when this worker is stopping.</summary>
    private async Task<FollowOn?> FollowOnAsync(RunId runId, TaskId taskId)
    {
        if (FollowQueues is not { Count: > 0 } queues || Stopping || !_runs.TryGetValue(runId, out var run))
        {
            return null;
        }

        var dag = await versions.GetVersionAsync(run.DagId, run.DagVersion, CancellationToken.None);
        return dag is null || !dag.Graph.TryGetIndex(taskId, out var index) ? null : TryReporter.FollowOn(dag, index, queues, time.GetUtcNow() + options.LeaseTimeout);
    }

    /// <summary>Stops a try the store no longer shows as this worker's (recorded lost while this worker could not
    /// heartbeat): its process group is killed and its report will be refused.</summary>
    public void AbandonLost(RunId runId, TaskId taskId, int tryNumber)
    {
        if (_running.TryGetValue((runId, taskId, tryNumber), out var lost))
        {
            logger.LogWarning("Try {Try} of {TaskId} in {RunId} was recorded lost by a scheduler (this worker's lease ran out): stopping it", tryNumber, taskId, runId);
            lost.Cancel();
        }
    }

    /// <summary>The worker is stopping: no try is claimed from now on; running tries go on.</summary>
    public void BeginStop() => _stopping.Cancel();

    /// <summary>Whether <see cref="BeginStop"/> was called.</summary>
    public bool Stopping => _stopping.IsCancellationRequested;

    /// <summary>Stops claiming, lets the tries running in the background end within <paramref name="grace"/>, then
    /// interrupts the rest (reported as interrupted: they run again without using up a retry) and waits for their
    /// reports. Returns how many were interrupted.</summary>
    public async Task<int> StopAsync(TimeSpan grace)
    {
        BeginStop();
        var running = _background.Keys.ToList();
        var all = Task.WhenAll(running);
        if (running.Count > 0 && await Task.WhenAny(all, Task.Delay(grace, time)) != all)
        {
            var interrupted = _running.Count;
            await _interrupt.CancelAsync();
            await all;
            return interrupted;
        }

        await all;
        return 0;
    }

    /// <summary>After <see cref="StopAsync"/>.</summary>
    public void Dispose()
    {
        _stopping.Dispose();
        _interrupt.Dispose();
    }

    private async Task<TryRecord> RunClaimedAsync(
        RunId runId, TaskId taskId, int tryNumber, int? maxTries, DateTimeOffset claimedAt, ClaimBatch? claim, CancellationToken lost, CancellationToken stopping)
    {
        TryRequest request;
        try
        {
            // A database restarting under a claimed try delays it; it does not fail it (the try has not run yet).
            using var loading = CancellationTokenSource.CreateLinkedTokenSource(stopping, lost);
            request = await _outageRetry.ExecuteAsync(token => new ValueTask<TryRequest>(LoadAsync(runId, taskId, tryNumber, maxTries, claim, token)), loading.Token);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            return new TryRecord(taskId, tryNumber, claimedAt, time.GetUtcNow(), TryOutcome.Failed,
                $"recorded lost while worker {WorkerId} prepared it", null, []);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The try is claimed: it must end, and the error must say why it could not run here.
            logger.LogError(exception, "Try {Try} of {TaskId} in {RunId} could not be prepared on worker {Worker}", tryNumber, taskId, runId, WorkerId);
            return new TryRecord(taskId, tryNumber, claimedAt, time.GetUtcNow(), TryOutcome.Failed,
                $"worker {WorkerId} could not prepare the try: {exception.Message}", null, []);
        }

        var observer = new StoreTryObserver(store, runId, WorkerId, time, startRecorded: true, writeRetry: _outageRetry);
        using var interruptible = CancellationTokenSource.CreateLinkedTokenSource(stopping, lost);
        var attempt = await _runner.RunTryAsync(request with
        {
            OnProcessStarted = (number, process, token) => RecordProcessAsync(observer, runId, taskId, number, process, token),
        }, observer, interruptible.Token);
        try
        {
            await observer.DrainAsync(); // the log is in the store before the end is reported
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogWarning(exception, "Try {Try} of {TaskId} in {RunId}: some log lines could not be written", tryNumber, taskId, runId);
        }

        return attempt;
    }

    /// <summary>What a try needs from the store. <paramref name="maxTries"/> comes with a batch claim; a Hangfire
    /// job's try reads its instance for it. A claimed try's upstream outputs are read once for its whole claim.</summary>
    private async Task<TryRequest> LoadAsync(RunId runId, TaskId taskId, int tryNumber, int? maxTries, ClaimBatch? claim, CancellationToken cancellationToken)
    {
        if (!_runs.TryGetValue(runId, out var run))
        {
            run = await store.Runs.GetAsync(runId, cancellationToken) ?? throw new InvalidOperationException($"run {runId} is not in the store");
            if (_runs.Count >= 1_000)
            {
                _runs.Clear(); // bounded: the runs of the moment are read again
            }

            _runs[runId] = run;
        }

        var dag = await versions.GetVersionAsync(run.DagId, run.DagVersion, cancellationToken)
            ?? throw new InvalidOperationException($"version {run.DagVersion[..Math.Min(12, run.DagVersion.Length)]} of {run.DagId} is neither loaded nor stored");
        if (!dag.Graph.TryGetIndex(taskId, out var index))
        {
            throw new InvalidOperationException($"version {run.DagVersion[..Math.Min(12, run.DagVersion.Length)]} of {run.DagId} has no task {taskId}");
        }

        maxTries ??= (await store.TaskInstances.GetAsync(runId, taskId, cancellationToken)
            ?? throw new InvalidOperationException($"run {runId} has no task {taskId} in the store")).MaxTries;
        var task = dag.Definition.Tasks[index];
        var outputs = new Dictionary<TaskId, JsonElement>();
        // A task reads only its ancestors' outputs (templates are checked for it at import): a root has none to read.
        if (task.DependsOn.Count > 0)
        {
            // Reported outputs too: an upstream try may have started this one before a scheduler recorded it.
            var read = claim is null ? await store.TryReports.OutputsAsync(runId, cancellationToken) : await claim.OutputsAsync(runId, cancellationToken);
            foreach (var (id, json) in read)
            {
                outputs[id] = JsonDocument.Parse(json).RootElement.Clone();
            }
        }

        return new TryRequest
        {
            Run = Runs.ActiveRun.ContextOf(run, dag, RunParams.Merge(dag.Definition.Params, run.Conf), outputs, secrets, logLimits ?? LogLimits.Default),
            Task = task,
            TryNumber = tryNumber,
            MaxTries = maxTries.Value,
            KeepLogLines = false, // written live to the store
        };
    }

    private async Task RecordProcessAsync(StoreTryObserver observer, RunId runId, TaskId taskId, int tryNumber, TaskProcess process, CancellationToken cancellationToken)
    {
        await observer.DrainAsync();
        if (!await _outageRetry.ExecuteAsync(token => new ValueTask<bool>(store.TaskInstances.RecordTryProcessAsync(runId, taskId, tryNumber, process, token)), cancellationToken))
        {
            throw new InvalidOperationException($"try {tryNumber} of {taskId} is not running in the store (recorded lost?); its processes are stopped");
        }
    }
}
