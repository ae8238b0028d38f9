using Orchestrator.Core.Model;
using Orchestrator.Engine.Runs;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;
using Orchestrator.Storage;

namespace Orchestrator.Engine.Workers;

/// <summary>Runs one dispatched task instance: every try through the task's retry and timeout pipeline, each try
/// recorded as it happens (start, log, up_for_retry with its next-try time), then hands the end to the coordinator,
/// which records the last try together with what it decides downstream while this worker takes its next task.</summary>
public sealed class TaskWorker
{
    private readonly RunCoordinator _coordinator;
    private readonly IMetadataStore _store;
    private readonly TaskInstanceRunner _runner;
    private readonly TimeProvider _time;
    private readonly string _workerId;

    public TaskWorker(RunCoordinator coordinator, IMetadataStore store, TaskTypeRegistry registry, TimeProvider time, string workerId)
    {
        _coordinator = coordinator;
        _store = store;
        _runner = new TaskInstanceRunner(registry, time);
        _time = time;
        _workerId = workerId;
    }

    public async Task RunAsync(RunId runId, TaskId taskId, CancellationToken cancellationToken)
    {
        if (_coordinator.Get(runId) is not { } run)
        {
            return; // the run finished or is driven by another engine
        }

        var firstTry = run.FirstTry.GetValueOrDefault(taskId, 1);
        var observer = new StoreTryObserver(_store, runId, firstTry, _workerId, _time);
        var request = new TaskInstanceRequest
        {
            DagId = run.Record.DagId,
            RunId = runId,
            LogicalDate = run.Record.LogicalDate,
            Task = run.Task(taskId),
            Params = run.Params,
            Outputs = run.Outputs,
            DagFolder = run.Dag.Folder,
            FirstTryNumber = firstTry,
        };
        var result = await _runner.RunAsync(request, observer, cancellationToken);
        // Recording the end is the coordinator's (which logs a failure); this worker's slot is free for the next task.
        _ = _coordinator.CompleteAsync(runId, taskId, result, recordedBefore: observer.DrainAsync())
            .ContinueWith(static failed => _ = failed.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }
}
