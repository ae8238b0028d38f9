using System.Text.Json;
using Orchestrator.Core.Durations;
using Orchestrator.Core.States;
using Orchestrator.Core.Templating;
using Orchestrator.Execution.Logs;
using Orchestrator.Execution.TaskTypes;
using Polly.Timeout;

namespace Orchestrator.Execution.Tries;

/// <summary>Runs one task instance to its end: every try through the task's Polly pipeline (retries with
/// backoff, per-try timeout), templates rendered per try, each try recorded with its log.</summary>
public sealed class TaskInstanceRunner
{
    /// <summary>How long a cancelled try may take to stop (a shell's kill, a cooperative C# task) before it is abandoned.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly TaskTypeRegistry _registry;
    private readonly TimeProvider _time;

    public TaskInstanceRunner(TaskTypeRegistry registry, TimeProvider time)
    {
        _registry = registry;
        _time = time;
    }

    /// <summary>Runs every try needed. Throws <see cref="OperationCanceledException"/> only when
    /// <paramref name="cancellationToken"/> (the run) is cancelled; a failed task is a result, not an exception.</summary>
    public async Task<TaskInstanceResult> RunAsync(TaskInstanceRequest request, ITryObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        var tries = new List<TryRecord>();
        var retriesLeft = Math.Max(0, request.Task.Retry.MaxTries - request.FirstTryNumber);
        var pipeline = TaskResiliencePipelines.Create(request.Task, request.Task.Retry with { Retries = retriesLeft }, _time, args =>
        {
            var failed = tries[^1];
            observer.OnRetryScheduled(request.Task.Id, failed.TryNumber, _time.GetUtcNow() + args.RetryDelay, args.RetryDelay, failed.Error ?? "failed");
            return ValueTask.CompletedTask;
        }, cancellationToken);

        try
        {
            var output = await pipeline.ExecuteAsync(
                async token => await RunTryAsync(request, tries, observer, token, cancellationToken), cancellationToken);
            return new TaskInstanceResult(TaskInstanceState.Success, tries, output, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception)
        {
            var error = tries.Count > 0 ? tries[^1].Error : exception.Message;
            return new TaskInstanceResult(TaskInstanceState.Failed, tries, null, error);
        }
    }

    private async Task<JsonElement?> RunTryAsync(
        TaskInstanceRequest request, List<TryRecord> tries, ITryObserver observer, CancellationToken tryToken, CancellationToken runToken)
    {
        var task = request.Task;
        var number = request.FirstTryNumber + tries.Count;
        var startedAt = _time.GetUtcNow();
        observer.OnTryStarted(task.Id, number, startedAt);
        var log = new TryLog(_time, line => observer.OnLogLine(task.Id, number, line));
        try
        {
            var scope = new TemplateScope(request.DagId, request.RunId, request.LogicalDate, task.Id, number, request.Params, request.Outputs);
            var execution = new TaskExecution
            {
                DagId = request.DagId,
                RunId = request.RunId,
                Task = task,
                TryNumber = number,
                LogicalDate = request.LogicalDate,
                Args = TemplateRenderer.Render(task.Args, scope),
                Params = request.Params,
                Outputs = request.Outputs,
                DagFolder = request.DagFolder,
                Log = log,
                Time = _time,
            };
            var output = await ExecuteAsync(_registry.Get(task.Type), execution, tryToken);
            TaskOutputLimit.Check(output, log.Limits.MaxOutputBytes);
            Record(TryOutcome.Success, null, output);
            return output;
        }
        catch (Exception exception)
        {
            var outcome = runToken.IsCancellationRequested ? TryOutcome.Cancelled
                : tryToken.IsCancellationRequested || exception is TimeoutRejectedException ? TryOutcome.TimedOut
                : TryOutcome.Failed;
            var error = outcome switch
            {
                TryOutcome.Cancelled => "cancelled with the run",
                TryOutcome.TimedOut => $"timed out after {DurationParser.Format(task.Timeout ?? TimeSpan.Zero)}",
                _ when exception is TaskFailedException or TemplateException => exception.Message,
                _ => $"{exception.GetType().Name}: {exception.Message}",
            };
            log.Write("error", outcome == TryOutcome.Failed && exception is not (TaskFailedException or TemplateException)
                ? exception.ToString()
                : error);
            Record(outcome, error, null);
            throw;
        }

        void Record(TryOutcome outcome, string? error, JsonElement? output)
        {
            var record = new TryRecord(task.Id, number, startedAt, _time.GetUtcNow(), outcome, error, output, log.Complete());
            tries.Add(record);
            observer.OnTryFinished(record);
        }
    }

    private static async Task<JsonElement?> ExecuteAsync(ITaskExecutor executor, TaskExecution execution, CancellationToken token)
    {
        var work = executor.ExecuteAsync(execution, token);
        try
        {
            return await work.WaitAsync(token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Let the executor stop cleanly (a shell kills its process group); abandon one that ignores the token.
            try
            {
                await work.WaitAsync(StopGrace, TimeProvider.System, CancellationToken.None);
            }
            catch (Exception)
            {
                // it stopped by failing, as expected, or it is abandoned
            }

            throw;
        }
    }
}
