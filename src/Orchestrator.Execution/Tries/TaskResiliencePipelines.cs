using Orchestrator.Core.Model;
using Orchestrator.Core.Retries;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Orchestrator.Execution.Tries;

/// <summary>Builds the Polly pipeline of one task instance: retries (outer) around a per-try timeout (inner).</summary>
internal static class TaskResiliencePipelines
{
    // Polly's allowed range for a timeout.
    private static readonly TimeSpan MinTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);

    public static ResiliencePipeline Create(
        TaskDefinition task,
        RetryPolicy retry,
        TimeProvider time,
        Func<OnRetryArguments<object>, ValueTask> onRetry,
        CancellationToken runCancelled)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (retry.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retry.Retries,
                Delay = Clamp(retry.Delay, TimeSpan.Zero, RetryPolicy.AbsoluteMaxDelay),
                MaxDelay = retry.EffectiveMaxDelay,
                BackoffType = retry.Backoff == RetryBackoff.Exponential ? DelayBackoffType.Exponential : DelayBackoffType.Constant,
                UseJitter = retry.Jitter,
                // Every failure is retried, timeouts included, unless the whole run is being cancelled.
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null && !runCancelled.IsCancellationRequested),
                OnRetry = onRetry,
            });
        }

        if (task.Timeout is { } timeout)
        {
            builder.AddTimeout(new TimeoutStrategyOptions { Timeout = Clamp(timeout, MinTimeout, MaxTimeout) });
        }

        return builder.Build();
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan min, TimeSpan max) =>
        value < min ? min : value > max ? max : value;
}
