using Orchestrator.Core.Retries;

namespace Orchestrator.Core.Tests.Retries;

/// <summary>The wait before each retry, for every backoff, cap and jitter draw, against a model written from the
/// documented rule (not from the code).</summary>
public class RetryDecisionTests
{
    private static readonly TimeSpan[] Delays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), TimeSpan.FromHours(7)];
    private static readonly TimeSpan?[] Caps = [null, TimeSpan.FromSeconds(25), TimeSpan.FromMinutes(5), TimeSpan.FromHours(30)];
    private static readonly double[] Draws = [0, 0.25, 0.5, 0.999999];

    public static TheoryData<int> FailedTries => [.. Enumerable.Range(1, 70)];

    [Theory]
    [MemberData(nameof(FailedTries))]
    public void EveryPolicy_WaitsAsDocumented(int failedTry)
    {
        foreach (var backoff in new[] { RetryBackoff.Fixed, RetryBackoff.Exponential })
        {
            foreach (var delay in Delays)
            {
                foreach (var cap in Caps)
                {
                    foreach (var jitter in new[] { false, true })
                    {
                        foreach (var draw in Draws)
                        {
                            var policy = new RetryPolicy { Retries = 100, Delay = delay, Backoff = backoff, MaxDelay = cap, Jitter = jitter };

                            var wait = RetryDecision.Delay(policy, failedTry, draw);

                            Assert.Equal(Expected(policy, failedTry, draw), wait);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Exponential_DoublesPerFailedTry_UntilTheCap()
    {
        var policy = new RetryPolicy { Delay = TimeSpan.FromSeconds(10), Backoff = RetryBackoff.Exponential, MaxDelay = TimeSpan.FromSeconds(75) };

        Assert.Equal([10, 20, 40, 75, 75], Enumerable.Range(1, 5).Select(n => RetryDecision.Delay(policy, n, 0).TotalSeconds));
    }

    [Fact]
    public void WithoutACap_TheWaitStopsAtADay_AsAirflowDoes()
    {
        var policy = new RetryPolicy { Delay = TimeSpan.FromMinutes(5), Backoff = RetryBackoff.Exponential };

        Assert.Equal(TimeSpan.FromDays(1), RetryDecision.Delay(policy, 1_000_000, 0));
    }

    [Fact]
    public void Jitter_DrawsBetweenHalfTheWaitAndTheWait()
    {
        var policy = new RetryPolicy { Delay = TimeSpan.FromSeconds(100), Jitter = true };

        Assert.Equal(TimeSpan.FromSeconds(50), RetryDecision.Delay(policy, 1, 0));
        Assert.Equal(TimeSpan.FromSeconds(75), RetryDecision.Delay(policy, 1, 0.5));
        Assert.True(RetryDecision.Delay(policy, 1, 0.999999) < TimeSpan.FromSeconds(100));
    }

    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(1, 2, true)]
    [InlineData(2, 2, false)]
    [InlineData(3, 2, false)]
    public void TriesLeft_CountsTheFirstTry(int tryNumber, int maxTries, bool left) =>
        Assert.Equal(left, RetryDecision.HasTriesLeft(tryNumber, maxTries));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(1, 4)]
    [InlineData(2, 4)]
    [InlineData(4, 4)]
    public void AConfigurationError_IsNeverRetried_AnOrdinaryFailureIsWhileTriesAreLeft(int tryNumber, int maxTries)
    {
        Assert.False(RetryDecision.Retries(tryNumber, maxTries, configurationError: true));
        Assert.Equal(tryNumber < maxTries, RetryDecision.Retries(tryNumber, maxTries, configurationError: false));
    }

    [Fact]
    public void TheFinalReason_SaysWhyRetriesWereLeftUnused()
    {
        Assert.Equal("args.trainer is 'Nope'; not retried (3 retries left): a configuration error, which another try cannot change",
            RetryDecision.FinalFailureReason("args.trainer is 'Nope'", 1, 4, configurationError: true));
        Assert.Equal("bad; not retried (1 retry left): a configuration error, which another try cannot change",
            RetryDecision.FinalFailureReason("bad", 2, 3, configurationError: true));
        Assert.Equal("try 1 failed; not retried (1 retry left): a configuration error, which another try cannot change",
            RetryDecision.FinalFailureReason(null, 1, 2, configurationError: true));
    }

    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(3, 3, true)]
    [InlineData(3, 3, false)]
    [InlineData(1, 4, false)]
    public void TheFinalReason_IsTheError_WhenNoRetryWasForgone(int tryNumber, int maxTries, bool configurationError)
    {
        Assert.Equal("exit code 2", RetryDecision.FinalFailureReason("exit code 2", tryNumber, maxTries, configurationError));
        Assert.Equal($"try {tryNumber} failed", RetryDecision.FinalFailureReason(null, tryNumber, maxTries, configurationError));
    }

    [Fact]
    public void AFailedTryNumberBelowOne_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryDecision.Delay(RetryPolicy.None, 0, 0));

    /// <summary>The rule from the docs, computed in decimal so doubling cannot overflow.</summary>
    private static TimeSpan Expected(RetryPolicy policy, int failedTry, double draw)
    {
        var cap = (decimal)(policy.MaxDelay ?? TimeSpan.FromDays(1)).Ticks;
        var wait = (decimal)policy.Delay.Ticks;
        if (policy.Backoff == RetryBackoff.Exponential)
        {
            for (var i = 1; i < failedTry && wait < cap; i++)
            {
                wait *= 2;
            }
        }

        wait = Math.Min(wait, cap);
        var ticks = (long)wait;
        return policy.Jitter ? TimeSpan.FromTicks((ticks / 2) + (long)(ticks / 2 * draw)) : TimeSpan.FromTicks(ticks);
    }
}
