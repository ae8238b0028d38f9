using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.Secrets;
using Orchestrator.Engine.Runs;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;
using Orchestrator.Storage;

namespace Orchestrator.Engine.Workers;

/// <summary>Runs one dispatched try of a task instance through the task's timeout, records it as it happens (start,
/// log), then hands its end to the coordinator, which decides what follows (a retry waits in up_for_retry, holding
/// no worker) and records it while this worker takes its next task. On engine stop no new try starts, and running
/// tries get a grace period before they are interrupted.</summary>
public sealed class TaskWorker : IDisposable
{
    private readonly RunCoordinator _coordinator;
    private readonly IMetadataStore _store;
    private readonly TaskInstanceRunner _runner;
    private readonly TimeProvider _time;
    private readonly string _workerId;
    private readonly CancellationTokenSource _interrupt = new();
    private readonly CountdownEvent _running = new(1);
    private volatile bool _stopping;

    private readonly ITrySecretsSource? _secrets;
    private readonly LogLimits _logLimits;

    public TaskWorker(
        RunCoordinator coordinator, IMetadataStore store, TaskTypeRegistry registry, TimeProvider time, string workerId,
        ITrySecretsSource? secrets = null, LogLimits? logLimits = null)
    {
        _secrets = secrets;
        _logLimits = logLimits ?? LogLimits.Default;
        _coordinator = coordinator;
        _store = store;
        _runner = new TaskInstanceRunner(registry, time);
        _time = time;
        _workerId = workerId;
    }

    public async Task RunAsync(RunId runId, TaskId taskId, CancellationToken cancellationToken)
    {
        var readyAt = _coordinator.Metrics?.LeftQueue(runId, taskId);
        if (_stopping || !_running.TryAddCount())
        {
            return; // stopping: the task stays queued in the store and is dispatched again on the next start
        }

        try
        {
            if (_coordinator.Get(runId) is not { } run)
            {
                return; // the run finished or is driven by another engine
            }

            _coordinator.Metrics?.TryStarting(readyAt, _time.GetUtcNow());
            var tryNumber = run.TryToRun.GetValueOrDefault(taskId, 1);
            var observer = new StoreTryObserver(_store, runId, _workerId, _time);
            var request = new TryRequest
            {
                Run = run.Context(_secrets, _logLimits),
                Task = run.Task(taskId),
                TryNumber = tryNumber,
                MaxTries = run.MaxTries.TryGetValue(taskId, out var maxTries) ? maxTries : null,
                KeepLogLines = false, // written live to the store
                OnProcessStarted = (number, process, token) => RecordProcessAsync(observer, runId, taskId, number, process, token),
            };
            using var interruptible = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _interrupt.Token);
            var attempt = await _runner.RunTryAsync(request, observer, interruptible.Token);
            _coordinator.Metrics?.TryFinished(attempt);
            // Recording the end is the coordinator's (which logs a failure); this worker's slot is free for the next task.
            _ = _coordinator.CompleteAsync(runId, taskId, attempt, recordedBefore: observer.DrainAsync())
                .ContinueWith(static failed => _ = failed.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        finally
        {
            _running.Signal();
        }
    }

    /// <summary>The try's process group goes into the store once its start is there, so that after a crash the next
    /// engine can stop it before the try is replaced. A try the store does not show running here (another engine
    /// took it over) must not go on: the throw makes the executor kill the group.</summary>
    private async Task RecordProcessAsync(StoreTryObserver observer, RunId runId, TaskId taskId, int tryNumber, Core.Model.TaskProcess process, CancellationToken cancellationToken)
    {
        await observer.DrainAsync();
        if (!await _store.TaskInstances.RecordTryProcessAsync(runId, taskId, tryNumber, process, cancellationToken))
        {
            throw new InvalidOperationException($"try {tryNumber} of {taskId} is not running in the store (did another engine take it over?); its processes are stopped");
        }
    }

    /// <summary>Stops taking tries, waits up to <paramref name="grace"/> for the running ones to end, then interrupts
    /// those left (a shell's process group gets SIGTERM, then SIGKILL) and waits for them to be handed over.</summary>
    /// <returns>How many tries had to be interrupted.</returns>
    public async Task<int> StopAsync(TimeSpan grace)
    {
        _stopping = true;
        _running.Signal(); // the count's own 1: it reaches 0 when the last running try ends
        var allDone = Task.Run(() => _running.Wait());
        if (await Task.WhenAny(allDone, Task.Delay(grace, _time)) == allDone)
        {
            return 0;
        }

        var interrupted = _running.CurrentCount;
        await _interrupt.CancelAsync();
        await allDone;
        return interrupted;
    }

    public void Dispose()
    {
        _interrupt.Dispose();
        _running.Dispose();
    }
}
