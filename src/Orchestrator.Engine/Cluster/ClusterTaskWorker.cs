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

/// <summary>Runs one dispatched try in a worker process. Everything comes from the store: the run, the DAG version it
/// is pinned to, its params and its upstream outputs. The try is claimed first (queued → running with a lease, by
/// compare-and-set: a duplicate delivery finds it taken and does nothing), runs while the worker's heartbeat extends
/// its lease, and ends as a report in the store that the run's scheduler records. A try recorded lost meanwhile (the
/// lease ran out) is stopped, and its late report refused.</summary>
public sealed class ClusterTaskWorker(
    IMetadataStore store, DagCatalog versions, TaskTypeRegistry registry, ClusterOptions options, TimeProvider time, ILogger logger,
    ITrySecretsSource? secrets = null, LogLimits? logLimits = null)
{
    private readonly TaskInstanceRunner _runner = new(registry, time);
    private readonly ConcurrentDictionary<(RunId, TaskId, int), CancellationTokenSource> _running = new();
    private readonly Polly.ResiliencePipeline _retry = StoreRetry.Create(logger, time, "Recording a try's end");
    private volatile bool _stopping;

    public string WorkerId => options.ProcessName;

    /// <summary>The tries running here now, for the heartbeat's check that each is still this worker's.</summary>
    public IReadOnlyCollection<(RunId Run, TaskId Task, int Try)> Running => [.. _running.Keys];

    public async Task RunAsync(RunId runId, TaskId taskId, int tryNumber, CancellationToken cancellationToken)
    {
        // Past the stop grace: Hangfire gives the job back to the queue. Within it, a job already fetched still runs
        // (failing it would leave its try queued with no job).
        cancellationToken.ThrowIfCancellationRequested();

        var now = time.GetUtcNow();
        if (!await store.TaskInstances.TryStartTryAsync(new TryStart(runId, taskId, tryNumber, WorkerId, now, now + options.LeaseTimeout), cancellationToken))
        {
            logger.LogDebug("Try {Try} of {TaskId} in {RunId} is not queued any more (taken, or decided otherwise): skipped", tryNumber, taskId, runId);
            return;
        }

        using var lost = new CancellationTokenSource();
        _running[(runId, taskId, tryNumber)] = lost;
        try
        {
            var attempt = await RunClaimedAsync(runId, taskId, tryNumber, now, lost.Token, cancellationToken);
            await ReportAsync(runId, attempt, lost.IsCancellationRequested);
        }
        finally
        {
            _running.TryRemove((runId, taskId, tryNumber), out _);
        }
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

    /// <summary>The worker is stopping: Hangfire fetches no more jobs; running tries get the stop grace.</summary>
    public void BeginStop() => _stopping = true;

    /// <summary>Whether <see cref="BeginStop"/> was called.</summary>
    public bool Stopping => _stopping;

    private async Task<TryRecord> RunClaimedAsync(RunId runId, TaskId taskId, int tryNumber, DateTimeOffset claimedAt, CancellationToken lost, CancellationToken stopping)
    {
        TryRequest request;
        try
        {
            request = await LoadAsync(runId, taskId, tryNumber, stopping);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The try is claimed: it must end, and the error must say why it could not run here.
            logger.LogError(exception, "Try {Try} of {TaskId} in {RunId} could not be prepared on worker {Worker}", tryNumber, taskId, runId, WorkerId);
            return new TryRecord(taskId, tryNumber, claimedAt, time.GetUtcNow(), TryOutcome.Failed,
                $"worker {WorkerId} could not prepare the try: {exception.Message}", null, []);
        }

        var observer = new StoreTryObserver(store, runId, WorkerId, time, startRecorded: true);
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

    private async Task<TryRequest> LoadAsync(RunId runId, TaskId taskId, int tryNumber, CancellationToken cancellationToken)
    {
        var run = await store.Runs.GetAsync(runId, cancellationToken) ?? throw new InvalidOperationException($"run {runId} is not in the store");
        var dag = await versions.GetVersionAsync(run.DagId, run.DagVersion, cancellationToken)
            ?? throw new InvalidOperationException($"version {run.DagVersion[..Math.Min(12, run.DagVersion.Length)]} of {run.DagId} is neither loaded nor stored");
        var instance = await store.TaskInstances.GetAsync(runId, taskId, cancellationToken)
            ?? throw new InvalidOperationException($"run {runId} has no task {taskId} in the store");
        var outputs = new Dictionary<TaskId, JsonElement>();
        foreach (var (id, json) in await store.Outputs.GetAllAsync(runId, cancellationToken))
        {
            outputs[id] = JsonDocument.Parse(json).RootElement.Clone();
        }

        return new TryRequest
        {
            Run = Runs.ActiveRun.ContextOf(run, dag, RunParams.Merge(dag.Definition.Params, run.Conf), outputs, secrets, logLimits ?? LogLimits.Default),
            Task = dag.Definition.Tasks[dag.Graph.IndexOf(taskId)],
            TryNumber = tryNumber,
            MaxTries = instance.MaxTries,
            KeepLogLines = false, // written live to the store
        };
    }

    private async Task ReportAsync(RunId runId, TryRecord attempt, bool recordedLost)
    {
        var report = new TryReport(runId, attempt.TaskId, attempt.TryNumber, WorkerId, attempt.Outcome.ToName(), attempt.Error, attempt.ConfigurationError,
            attempt.StartedAt, attempt.EndedAt, attempt.Output?.GetRawText(), time.GetUtcNow());
        var accepted = await _retry.ExecuteAsync(async token =>
            await store.TryReports.ReportAsync(report, token)
            // a retry after a commit that did happen finds its own report
            || (await store.TryReports.ListAsync([runId], 10_000, token)).Any(r => r.TaskId == report.TaskId && r.TryNumber == report.TryNumber && r.WorkerId == WorkerId),
            CancellationToken.None);
        if (accepted)
        {
            try
            {
                await store.Signals.NotifyAsync(ClusterDriving.ReportsChannel, CancellationToken.None); // the scheduler looks now
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogDebug("Could not signal the report ({Error}); the scheduler's poll finds it", exception.Message);
            }
        }
        else
        {
            logger.LogWarning("Try {Try} of {TaskId} in {RunId} ended ({Outcome}) but was already recorded lost{How}: its result is not used, another try replaces it",
                attempt.TryNumber, attempt.TaskId, runId, report.Outcome, recordedLost ? " (stopped here when that was noticed)" : "");
        }
    }

    private async Task RecordProcessAsync(StoreTryObserver observer, RunId runId, TaskId taskId, int tryNumber, TaskProcess process, CancellationToken cancellationToken)
    {
        await observer.DrainAsync();
        if (!await store.TaskInstances.RecordTryProcessAsync(runId, taskId, tryNumber, process, cancellationToken))
        {
            throw new InvalidOperationException($"try {tryNumber} of {taskId} is not running in the store (recorded lost?); its processes are stopped");
        }
    }
}
