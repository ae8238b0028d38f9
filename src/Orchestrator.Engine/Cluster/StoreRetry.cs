using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Orchestrator.Engine.Cluster;

/// <summary>Retries a write to the store (or Hangfire's queue) while the database is unreachable: a restart of
/// PostgreSQL must not lose a try's report or a dispatch. Backs off to 5 s between attempts, for up to about
/// <see cref="GiveUpAfter"/>; every retry is logged so an operator sees the outage.</summary>
internal static class StoreRetry
{
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(10);

    public static ResiliencePipeline Create(ILogger logger, TimeProvider time, string what) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                MaxRetryAttempts = (int)(GiveUpAfter / TimeSpan.FromSeconds(5)) + 5,
                OnRetry = retry =>
                {
                    logger.LogWarning("{What} failed (attempt {Attempt}: {Error}); the database may be restarting, retrying in {Delay} ms",
                        what, retry.AttemptNumber + 1, retry.Outcome.Exception?.Message, (long)retry.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
}
