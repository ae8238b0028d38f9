using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Execution.LocalRuns;
using Orchestrator.Execution.Tries;
using Orchestrator.Loading;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.TestRuns;

/// <summary>Records a finished <c>dags test</c> run in the store like any run (run type "test"): the DAG's version,
/// then the same compare-and-set transitions, tries, logs and outputs the engine writes, replayed with their real
/// times — so what the test registered (datasets, models) is there for a <c>standalone</c> on the same store.</summary>
public sealed class TestRunRecorder
{
    private readonly IMetadataStore _store;
    private readonly TimeProvider _time;

    internal TestRunRecorder(IMetadataStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    /// <summary>Records <paramref name="result"/>, the run of <paramref name="dag"/> with <paramref name="conf"/>.</summary>
    /// <exception cref="InvalidOperationException">The run (or another run of the DAG for its logical date) is recorded already.</exception>
    public async Task RecordAsync(LoadedDag dag, RunResult result, string conf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(result);
        await DagRegistration.RegisterAsync(_store, dag, result.StartedAt, cancellationToken);
        await RecordRunAsync(_store, _time, dag, result, conf, cancellationToken);
    }

    private static async Task RecordRunAsync(IMetadataStore store, TimeProvider time, LoadedDag dag, RunResult result, string conf, CancellationToken cancellationToken)
    {
        var run = result.RunId;
        var created = await new RunFactory(store, time).CreateAsync(dag, run, result.LogicalDate, RunType.Test, conf, cancellationToken);
        if (!created)
        {
            throw new InvalidOperationException($"run {run} or another run of {dag.Id} for {result.LogicalDate:O} is already recorded");
        }

        await Require(store.Runs.TryTransitionAsync(new RunTransition(run, DagRunState.Queued, DagRunState.Running, result.StartedAt), cancellationToken));
        foreach (var task in result.Tasks)
        {
            await RecordTaskAsync(store, run, task, result.EndedAt, cancellationToken);
        }

        await Require(store.Runs.TryTransitionAsync(new RunTransition(run, DagRunState.Running, result.State, result.EndedAt), cancellationToken));
    }

    private static async Task RecordTaskAsync(IMetadataStore store, RunId run, TaskRunSummary task, DateTimeOffset runEnd, CancellationToken cancellationToken)
    {
        if (task.Tries.Count == 0)
        {
            await Require(store.TaskInstances.TryTransitionAsync(
                new TaskTransition(run, task.TaskId, TaskInstanceState.None, task.State, task.Reason, runEnd), cancellationToken));
            return;
        }

        var instances = store.TaskInstances;
        await Require(instances.TryTransitionAsync(new TaskTransition(run, task.TaskId, TaskInstanceState.None, TaskInstanceState.Scheduled, "trigger rule met", task.Tries[0].StartedAt), cancellationToken));
        var from = TaskInstanceState.Scheduled;
        for (var i = 0; i < task.Tries.Count; i++)
        {
            var attempt = task.Tries[i];
            var last = i == task.Tries.Count - 1;
            await Require(instances.TryTransitionAsync(new TaskTransition(run, task.TaskId, from, TaskInstanceState.Queued, "queued", attempt.StartedAt), cancellationToken));
            await Require(instances.TryStartTryAsync(new TryStart(run, task.TaskId, attempt.TryNumber, Environment.MachineName, attempt.StartedAt), cancellationToken));
            await store.Logs.AppendAsync(run, task.TaskId, attempt.TryNumber, [.. attempt.Log.Select(line => new StoredLogLine(line.At, line.Level, line.Message))], cancellationToken);
            var next = last ? task.State : TaskInstanceState.UpForRetry;
            var reason = attempt.Outcome switch
            {
                TryOutcome.Success => $"try {attempt.TryNumber} succeeded",
                TryOutcome.Skipped => $"skipped by the task: {attempt.Error}",
                _ when attempt.ConfigurationError => task.Reason, // says why retries were left unused
                _ => attempt.Error,
            };
            await Require(instances.TryFinishTryAsync(new TryFinish(
                run, task.TaskId, attempt.TryNumber, attempt.Outcome.ToName(), attempt.Error, attempt.EndedAt, next, reason,
                last ? null : task.Tries[i + 1].StartedAt), cancellationToken));
            from = TaskInstanceState.UpForRetry;
        }

        if (task.Output is { } output)
        {
            await store.Outputs.SetAsync(run, task.TaskId, output.GetRawText(), cancellationToken);
        }
    }

    private static async Task Require(Task<bool> change)
    {
        if (!await change)
        {
            throw new InvalidOperationException("the store refused a state change of the test run; was it recorded twice?");
        }
    }
}
