namespace Orchestrator.Core.Retries;

/// <summary>What follows a failed try: another try after a wait, or the end. Pure: the engine and <c>dags test</c>
/// both ask it, so a retry waits the same way wherever it runs.</summary>
public static class RetryDecision
{
    /// <summary>The wait before the retry that follows failed try <paramref name="failedTry"/> (1 for the first try).
    /// Fixed: <see cref="RetryPolicy.Delay"/> every time. Exponential: Delay × 2^(failedTry-1). Either way capped at
    /// <see cref="RetryPolicy.EffectiveMaxDelay"/>. With jitter the wait is drawn uniformly from [½ wait, wait] —
    /// "equal jitter": many tasks failing together spread out, and the cap still holds.</summary>
    /// <param name="policy">The task's retry policy.</param>
    /// <param name="failedTry">The number of the try that failed.</param>
    /// <param name="random">A number in [0, 1) used only when the policy has jitter.</param>
    public static TimeSpan Delay(RetryPolicy policy, int failedTry, double random)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfLessThan(failedTry, 1);
        var cap = policy.EffectiveMaxDelay;
        var delay = policy.Delay < TimeSpan.Zero ? TimeSpan.Zero : policy.Delay;
        if (policy.Backoff == RetryBackoff.Exponential && delay > TimeSpan.Zero)
        {
            // Doubling stops as soon as the cap is reached, so no overflow however many tries.
            for (var i = 1; i < failedTry && delay < cap; i++)
            {
                delay = delay > cap / 2 ? cap : delay * 2;
            }
        }

        if (delay > cap)
        {
            delay = cap;
        }

        if (policy.Jitter)
        {
            delay = TimeSpan.FromTicks(delay.Ticks / 2 + (long)(delay.Ticks / 2 * Math.Clamp(random, 0, 1)));
        }

        return delay;
    }

    /// <summary>Whether try <paramref name="tryNumber"/> may be followed by another, out of <paramref name="maxTries"/>.</summary>
    public static bool HasTriesLeft(int tryNumber, int maxTries) => tryNumber < maxTries;

    /// <summary>Whether failed try <paramref name="tryNumber"/> is followed by another: tries are left and the failure
    /// is not a configuration error (<see cref="Authoring.TaskFailedNoRetryException"/>), which no retry can change.</summary>
    public static bool Retries(int tryNumber, int maxTries, bool configurationError) =>
        !configurationError && HasTriesLeft(tryNumber, maxTries);

    /// <summary>The reason recorded when failed try <paramref name="tryNumber"/> ends the task: its error, and when
    /// tries were left, that they were not used because the failure is a configuration error.</summary>
    public static string FinalFailureReason(string? error, int tryNumber, int maxTries, bool configurationError)
    {
        var failure = error ?? $"try {tryNumber} failed";
        if (!configurationError || !HasTriesLeft(tryNumber, maxTries))
        {
            return failure;
        }

        var left = maxTries - tryNumber;
        return $"{failure}; not retried ({left} {(left == 1 ? "retry" : "retries")} left): a configuration error, which another try cannot change";
    }
}
