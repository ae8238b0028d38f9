using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Durations;
using Orchestrator.Core.Retries;
using Orchestrator.Core.Secrets;
using Orchestrator.Core.States;
using Orchestrator.Core.Templating;
using Orchestrator.Execution.Logs;
using Orchestrator.Execution.TaskTypes;
using Polly.Timeout;

namespace Orchestrator.Execution.Tries;

/// <summary>Runs one try of a task instance through the task's Polly pipeline (its timeout), templates rendered for
/// that try, the try recorded with its log.</summary>
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

    /// <summary>Runs try <see cref="TryRequest.TryNumber"/> through the task's timeout and records it.
    /// A failure is a result, not an exception; so is <paramref name="cancellationToken"/> firing (the run cancelled
    /// or the engine stopping): that try ends as <see cref="TryOutcome.Cancelled"/>. What follows a failed try (a retry
    /// after a wait, or the end) is the caller's decision: a worker never waits for a retry.</summary>
    public async Task<TryRecord> RunTryAsync(TryRequest request, ITryObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(observer);
        var pipeline = TaskResiliencePipelines.Create(request.Task, _time);
        TryRecord? record = null;
        try
        {
            await pipeline.ExecuteAsync(
                async token => await RunTryAsync(request, observer, finished => record = finished, token, cancellationToken), cancellationToken);
        }
        catch (Exception) when (record is not null)
        {
            // the try failed, timed out or was cancelled, and is recorded as such
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // cancelled before the try could start (Polly checks the token first): nothing ran
            var now = _time.GetUtcNow();
            record = new TryRecord(request.Task.Id, request.TryNumber, now, now, TryOutcome.Cancelled, "cancelled before it started", null, []);
        }

        return record!;
    }

    /// <summary>Every try of a task instance, in this process (<c>dags test</c>): a try holds one of
    /// <paramref name="slots"/>, the wait before a retry does not; the wait is <see cref="RetryDecision"/>'s, as in the
    /// engine. Throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.</summary>
    public async Task<TaskInstanceResult> RunAllTriesAsync(
        TryRequest request, ITryObserver observer, SemaphoreSlim? slots, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var task = request.Task;
        var tries = new List<TryRecord>();
        for (var number = request.TryNumber; ; number++)
        {
            TryRecord attempt;
            if (slots is not null)
            {
                await slots.WaitAsync(cancellationToken);
            }

            try
            {
                attempt = await RunTryAsync(request.WithTry(number), observer, cancellationToken);
            }
            finally
            {
                slots?.Release();
            }

            cancellationToken.ThrowIfCancellationRequested();
            tries.Add(attempt);
            if (attempt.Outcome == TryOutcome.Success)
            {
                return new TaskInstanceResult(TaskInstanceState.Success, tries, attempt.Output, null);
            }

            if (attempt.Outcome == TryOutcome.Skipped)
            {
                return new TaskInstanceResult(TaskInstanceState.Skipped, tries, null, attempt.Error);
            }

            if (!RetryDecision.Retries(number, task.Retry.MaxTries, attempt.ConfigurationError))
            {
                var reason = RetryDecision.FinalFailureReason(attempt.Error, number, task.Retry.MaxTries, attempt.ConfigurationError);
                return new TaskInstanceResult(TaskInstanceState.Failed, tries, null, reason);
            }

            var delay = RetryDecision.Delay(task.Retry, number, Random.Shared.NextDouble());
            observer.OnRetryScheduled(task.Id, number, _time.GetUtcNow() + delay, delay, attempt.Error ?? "failed");
            await Task.Delay(delay, _time, cancellationToken);
        }
    }

    private async Task<JsonElement?> RunTryAsync(
        TryRequest request, ITryObserver observer, Action<TryRecord> recorded, CancellationToken tryToken, CancellationToken runToken)
    {
        var task = request.Task;
        var number = request.TryNumber;
        var startedAt = _time.GetUtcNow();
        observer.OnTryStarted(task.Id, number, startedAt);
        var (secrets, secretsFailure) = await LoadSecretsAsync(request, tryToken);
        var log = new TryLog(_time, line => observer.OnLogLine(task.Id, number, line), request.Run.LogLimits, secrets.Masker, request.KeepLogLines);
        try
        {
            if (secretsFailure is not null)
            {
                throw new TaskFailedException($"reading the Variables and Connections for this try failed: {secretsFailure.Message}");
            }

            var run = request.Run;
            var scope = new TemplateScope(run.DagId, run.RunId, run.LogicalDate, task.Id, number, run.Params, run.Outputs)
            {
                DataIntervalStart = run.DataInterval.Start,
                DataIntervalEnd = run.DataInterval.End,
                Secrets = secrets.Values,
                DagParams = run.DagParams,
            };
            var context = new TaskContext
            {
                Run = run,
                Task = task,
                TryNumber = number,
                MaxTries = request.MaxTries ?? task.Retry.MaxTries,
                Args = new TaskArgs(TemplateRenderer.Render(task.Args, scope, _registry.ArgsRenderedByExecutor(task.Type)), task.Id, run.DagFolder),
                Templates = scope,
                Logger = new TryLogger(log),
                Log = log,
                Time = _time,
                OnProcessStarted = request.OnProcessStarted is { } started ? (process, token) => started(number, process, token) : null,
            };
            var output = await ExecuteAsync(_registry.Get(task.Type), context, tryToken);
            TaskOutputLimit.Check(output, log.Limits.MaxOutputBytes);
            Record(TryOutcome.Success, null, output);
            return output;
        }
        catch (TaskSkippedException skipped) when (!runToken.IsCancellationRequested && !tryToken.IsCancellationRequested)
        {
            // Not a failure: the reason is kept where an error would be, and said in the log.
            log.Write("info", $"skipped: {skipped.Reason}");
            Record(TryOutcome.Skipped, skipped.Reason, null);
            throw;
        }
        catch (Exception exception)
        {
            var outcome = runToken.IsCancellationRequested ? TryOutcome.Cancelled
                : tryToken.IsCancellationRequested || exception is TimeoutRejectedException ? TryOutcome.TimedOut
                : TryOutcome.Failed;
            var error = outcome switch
            {
                TryOutcome.Cancelled => "interrupted: the run was cancelled or the engine stopped",
                TryOutcome.TimedOut => $"timed out after {DurationParser.Format(task.Timeout ?? TimeSpan.Zero)}",
                _ when exception is TaskFailedException or TemplateException or TaskFailedNoRetryException => exception.Message,
                _ => $"{exception.GetType().Name}: {exception.Message}",
            };
            log.Write("error", outcome == TryOutcome.Failed && exception is not (TaskFailedException or TemplateException or TaskFailedNoRetryException)
                ? exception.ToString()
                : error);
            Record(outcome, error, null, configurationError: outcome == TryOutcome.Failed && exception is TaskFailedNoRetryException);
            throw;
        }

        void Record(TryOutcome outcome, string? error, JsonElement? output, bool configurationError = false)
        {
            // What leaves the try is masked: its error and its output are stored and shown like its log.
            error = error is null ? null : secrets.Masker.Mask(error);
            output = output is { } value ? MaskOutput(value, secrets.Masker) : null;
            var record = new TryRecord(task.Id, number, startedAt, _time.GetUtcNow(), outcome, error, output, log.Complete())
            {
                ConfigurationError = configurationError,
            };
            recorded(record);
            observer.OnTryFinished(record);
        }
    }

    private static async Task<(TrySecrets Secrets, Exception? Failure)> LoadSecretsAsync(TryRequest request, CancellationToken cancellationToken)
    {
        if (request.Run.Secrets is not { } source)
        {
            return (TrySecrets.None, null);
        }

        try
        {
            return (await source.ForTryAsync(request.Task, request.Run.Params, cancellationToken), null);
        }
        catch (Exception exception)
        {
            return (TrySecrets.None, exception);
        }
    }

    /// <summary>The output with every secret replaced by <c>***</c> inside its strings (and names).</summary>
    private static JsonElement MaskOutput(JsonElement output, ISecretMasker masker)
    {
        var text = output.GetRawText();
        var masked = masker.Mask(text);
        if (masked == text)
        {
            return output;
        }

        try
        {
            using var document = JsonDocument.Parse(masked);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(masked); // masking broke the JSON: keep it as masked text
        }
    }

    private static async Task<JsonElement?> ExecuteAsync(ITaskExecutor executor, TaskContext context, CancellationToken token)
    {
        var work = executor.ExecuteAsync(context, token);
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
