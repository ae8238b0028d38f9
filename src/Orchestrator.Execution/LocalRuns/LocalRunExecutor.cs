using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Model;
using Orchestrator.Core.Runs;
using Orchestrator.Core.States;
using Orchestrator.Execution.Logs;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Execution.LocalRuns;

/// <summary>Runs one DAG run in this process (what <c>dags test</c> does): the run tracker decides which tasks
/// are ready, ready tasks run at once and in parallel (up to <see cref="MaxParallelism"/>), and each finished
/// task immediately decides its downstream tasks. No polling, no scheduler.</summary>
public sealed class LocalRunExecutor
{
    private readonly TaskInstanceRunner _runner;
    private readonly TimeProvider _time;

    public LocalRunExecutor(TaskTypeRegistry registry, TimeProvider time)
    {
        _runner = new TaskInstanceRunner(registry, time);
        _time = time;
    }

    /// <summary>How many tasks run at once. Default: four per processor (tasks mostly wait on I/O).</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount * 4;

    /// <summary>For tests: start a ready task synchronously inside the call that found it ready, instead of after a
    /// yield — the tightest race with the code that publishes the finished task's output.</summary>
    internal bool LaunchInline { get; init; }

    /// <summary>A run of <paramref name="dag"/> for <c>dags test</c>: params with <paramref name="conf"/> applied, logical
    /// date now unless given, run id <c>test__LOGICAL_DATE__SUFFIX</c> unless given, no outputs yet.</summary>
    public RunContext NewRun(DagDefinition dag, string dagFolder, JsonElement? conf = null, DateTimeOffset? logicalDate = null, RunId? runId = null)
    {
        ArgumentNullException.ThrowIfNull(dag);
        var date = logicalDate ?? _time.GetUtcNow();
        return new RunContext
        {
            DagId = dag.Id,
            RunId = runId ?? new RunId($"test__{date.ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture)}__{Guid.NewGuid().ToString("N")[..6]}"),
            LogicalDate = date,
            Params = RunParams.Merge(dag.Params, conf),
            DagParams = dag.Params,
            Outputs = new Dictionary<TaskId, JsonElement>(),
            DagFolder = dagFolder,
        };
    }

    /// <summary>Runs <paramref name="run"/> (see <see cref="NewRun"/>) to its end. <paramref name="onLogLine"/> hears
    /// every log line of every try as it is written (task, try number, line).</summary>
    public async Task<RunResult> RunAsync(
        DagDefinition dag, DagGraph graph, RunContext run, IProgress<RunProgressEvent>? progress, CancellationToken cancellationToken,
        Action<TaskId, int, TaskLogLine>? onLogLine = null)
    {
        ArgumentNullException.ThrowIfNull(dag);
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(run);
        var state = new RunState(dag, graph, run, _time, progress, onLogLine);
        var startedAt = _time.GetUtcNow();
        using var slots = new SemaphoreSlim(MaxParallelism);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        void Launch(IEnumerable<int> ready)
        {
            foreach (var task in ready)
            {
                // A bug must end the run with its exception, not leave it waiting for a task that never reports.
                _ = RunTaskAsync(task).ContinueWith(
                    failed => done.TrySetException(failed.Exception!.InnerExceptions),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }

        async Task RunTaskAsync(int index)
        {
            if (!LaunchInline)
            {
                await Task.Yield();
            }

            TaskInstanceResult result;
            try
            {
                result = await _runner.RunAllTriesAsync(state.RequestFor(index), state.Observer, slots, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                done.TrySetCanceled(cancellationToken);
                return;
            }

            var (next, finished) = state.Complete(index, result);
            Launch(next);
            if (finished)
            {
                done.TrySetResult();
            }
        }

        var (first, finishedAtStart) = state.Start();
        Launch(first);
        if (finishedAtStart)
        {
            done.TrySetResult();
        }

        await done.Task;
        return state.ToResult(startedAt, _time.GetUtcNow());
    }

    /// <summary>The mutable state of one run; every change goes through one lock.</summary>
    private sealed class RunState
    {
        private readonly DagDefinition _dag;
        private readonly DagGraph _graph;
        private readonly RunContext _run;
        private readonly TimeProvider _time;
        private readonly IProgress<RunProgressEvent>? _progress;
        private readonly Action<TaskId, int, TaskLogLine>? _onLogLine;
        private readonly RunTracker _tracker;
        private readonly TaskRunSummary?[] _summaries;
        private readonly string?[] _reasons;
        private readonly ConcurrentDictionary<TaskId, JsonElement> _outputs;
        private readonly List<TaskDecision> _decisions = [];
        private readonly Lock _lock = new();

        public RunState(
            DagDefinition dag, DagGraph graph, RunContext run, TimeProvider time, IProgress<RunProgressEvent>? progress, Action<TaskId, int, TaskLogLine>? onLogLine)
        {
            _dag = dag;
            _graph = graph;
            _time = time;
            _progress = progress;
            _onLogLine = onLogLine;
            _tracker = new RunTracker(graph, dag.Tasks);
            _summaries = new TaskRunSummary?[graph.Count];
            _reasons = new string?[graph.Count];
            // The run's outputs grow here as tasks finish; every try reads them through the run context.
            _outputs = new ConcurrentDictionary<TaskId, JsonElement>(run.Outputs);
            _run = run with { Outputs = _outputs };
        }

        public (List<int> Ready, bool Finished) Start()
        {
            lock (_lock)
            {
                _decisions.Clear();
                _tracker.Start(_decisions);
                return Apply();
            }
        }

        public (List<int> Ready, bool Finished) Complete(int index, TaskInstanceResult result)
        {
            lock (_lock)
            {
                var task = _dag.Tasks[index];
                if (result.Output is { } output)
                {
                    _outputs[task.Id] = output;
                }

                _summaries[index] = new TaskRunSummary(task.Id, result.FinalState, result.Tries, result.Output, result.Error);
                Report(task.Id, result.FinalState, result.Tries.Count, result.Error);
                _decisions.Clear();
                _tracker.Complete(index, result.FinalState, _decisions);
                return Apply();
            }
        }

        public TryRequest RequestFor(int index) => new() { Run = _run, Task = _dag.Tasks[index] };

        public ITryObserver Observer => new ProgressObserver(this);

        public RunResult ToResult(DateTimeOffset startedAt, DateTimeOffset endedAt)
        {
            lock (_lock)
            {
                var tasks = _graph.TopologicalOrder
                    .Select(i => _summaries[i] ?? new TaskRunSummary(_dag.Tasks[i].Id, _tracker.StateOf(i), [], null, _reasons[i]))
                    .ToList();
                var state = _tracker.FinalRunState() ?? DagRunState.Failed;
                return new RunResult(_dag.Id, _run.RunId, state, _run.LogicalDate, startedAt, endedAt, tasks);
            }
        }

        private (List<int> Ready, bool Finished) Apply()
        {
            var ready = new List<int>();
            foreach (var decision in _decisions)
            {
                var id = _dag.Tasks[decision.Task].Id;
                _reasons[decision.Task] = decision.Reason;
                if (decision.State == TaskInstanceState.Scheduled)
                {
                    ready.Add(decision.Task);
                }
                else
                {
                    _summaries[decision.Task] = new TaskRunSummary(id, decision.State, [], null, decision.Reason);
                    Report(id, decision.State, 0, decision.Reason);
                }
            }

            return (ready, _tracker.IsFinished);
        }

        private void Report(TaskId task, TaskInstanceState state, int tryNumber, string? message) =>
            _progress?.Report(new RunProgressEvent(_time.GetUtcNow(), task, state, tryNumber, message));

        private sealed class ProgressObserver(RunState run) : ITryObserver
        {
            public void OnTryStarted(TaskId task, int tryNumber, DateTimeOffset startedAt) =>
                run.Report(task, TaskInstanceState.Running, tryNumber, null);

            public void OnLogLine(TaskId task, int tryNumber, TaskLogLine line) =>
                run._onLogLine?.Invoke(task, tryNumber, line);

            public void OnTryFinished(TryRecord record)
            {
            }

            public void OnRetryScheduled(TaskId task, int failedTryNumber, DateTimeOffset nextTryAt, TimeSpan delay, string reason) =>
                run.Report(task, TaskInstanceState.UpForRetry, failedTryNumber,
                    $"{reason}; try {failedTryNumber + 1} at {nextTryAt:HH:mm:ss} (in {Core.Durations.DurationParser.Format(delay)})");
        }
    }
}
