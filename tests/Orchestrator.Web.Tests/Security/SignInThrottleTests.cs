using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Tests.Security;

/// <summary>The lockout brake: a running lock cannot be undone by more failures or by a flood of other names.</summary>
public sealed class SignInThrottleTests
{
    private static readonly TimeSpan Lockout = TimeSpan.FromMinutes(5);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private SignInThrottle NewThrottle(int capacity = 10_000) =>
        new(Options.Create(new SecurityOptions { MaxFailedSignIns = 5, LockoutDuration = Lockout }), _time, capacity);

    private static void Fail(SignInThrottle throttle, string name, int times)
    {
        for (var i = 0; i < times; i++)
        {
            throttle.Failed(name);
        }
    }

    [Fact]
    public void FiveFailures_Lock_FourDoNot()
    {
        var throttle = NewThrottle();
        Fail(throttle, "ada", 4);
        Assert.False(throttle.IsLocked("ada"));

        throttle.Failed("ADA"); // names compare without case
        Assert.True(throttle.IsLocked("ada"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(12)]
    public void FailuresWhileLocked_NeitherEndNorExtendTheLock(int moreFailures)
    {
        var throttle = NewThrottle();
        Fail(throttle, "ada", 5);

        _time.Advance(TimeSpan.FromMinutes(1));
        Fail(throttle, "ada", moreFailures);
        Assert.True(throttle.IsLocked("ada"));

        _time.Advance(Lockout - TimeSpan.FromMinutes(1) - TimeSpan.FromSeconds(1));
        Assert.True(throttle.IsLocked("ada"));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(throttle.IsLocked("ada"));
    }

    [Fact]
    public void AfterALockEnds_CountingStartsAgain()
    {
        var throttle = NewThrottle();
        Fail(throttle, "ada", 5);
        _time.Advance(Lockout);

        Fail(throttle, "ada", 4);
        Assert.False(throttle.IsLocked("ada"));
        throttle.Failed("ada");
        Assert.True(throttle.IsLocked("ada"));
    }

    [Fact]
    public void Success_ClearsTheCount()
    {
        var throttle = NewThrottle();
        Fail(throttle, "ada", 4);
        throttle.Succeeded("ada");

        Fail(throttle, "ada", 4);
        Assert.False(throttle.IsLocked("ada"));
    }

    [Fact]
    public void SprayingOtherNames_KeepsRunningLocks_AndForgetsOnlyCounters()
    {
        var throttle = NewThrottle(capacity: 100);
        Fail(throttle, "ada", 5);
        Fail(throttle, "bob", 4);

        for (var i = 0; i < 1_000; i++)
        {
            throttle.Failed("spray-" + i);
        }

        Assert.True(throttle.IsLocked("ada"));
        throttle.Failed("bob"); // bob's four were forgotten to make room: one more does not lock
        Assert.False(throttle.IsLocked("bob"));
    }

    [Fact]
    public void WhenEverySlotHoldsARunningLock_UncountedNamesAreRefused_UntilLocksEnd()
    {
        var throttle = NewThrottle(capacity: 3);
        foreach (var name in new[] { "a", "b", "c" })
        {
            Fail(throttle, name, 5);
        }

        Assert.True(throttle.IsLocked("ada"));
        throttle.Failed("ada");
        Assert.True(throttle.IsLocked("a"));

        _time.Advance(Lockout);
        Assert.False(throttle.IsLocked("ada"));
        Assert.False(throttle.IsLocked("a"));
    }
}
