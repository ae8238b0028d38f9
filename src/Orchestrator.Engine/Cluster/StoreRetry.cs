using System.Data.Common;
using System.Net.Sockets;
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

    /// <summary>A pipeline retrying <paramref name="what"/>; with <paramref name="onlyOutages"/>, only errors of an
    /// unreachable or restarting database (<see cref="IsOutage"/>), otherwise every error but a cancellation.</summary>
    public static ResiliencePipeline Create(ILogger logger, TimeProvider time, string what, bool onlyOutages = false) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException && (!onlyOutages || IsOutage(e))),
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

    /// <summary>Whether <paramref name="exception"/> (or one it wraps) says the database is unreachable or restarting:
    /// a broken connection, a refused connection, a server shutting down (SQLSTATE classes 08 and 57P), or what the
    /// provider marks transient. Such an error says nothing about the work, so the work is tried again.</summary>
    public static bool IsOutage(Exception exception)
    {
        for (Exception? error = exception; error is not null; error = error.InnerException)
        {
            switch (error)
            {
                case DbException { IsTransient: true }:
                case DbException { SqlState: { } state } when state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal):
                case IOException or SocketException or TimeoutException:
                    return true;
            }
        }

        return false;
    }
}
