using Orchestrator.Engine.Concurrency;

namespace Orchestrator.Engine.Tests;

public sealed class CoalescedPassTests
{
    [Fact]
    public async Task ARequestMadeDuringAPass_CompletesOnlyAfterAPassBegunLater()
    {
        var firstEntered = new TaskCompletionSource();
        var releaseFirst = new TaskCompletionSource();
        var passes = 0;
        var pass = new CoalescedPass(async _ =>
        {
            if (Interlocked.Increment(ref passes) == 1)
            {
                firstEntered.SetResult();
                await releaseFirst.Task;
            }
        }, CancellationToken.None);

        var first = pass.RequestAsync();
        await firstEntered.Task;
        var second = pass.RequestAsync(); // the first pass may already have looked at what this caller changed
        Assert.False(second.IsCompleted);
        releaseFirst.SetResult();
        await first.WaitAsync(TimeSpan.FromSeconds(10));
        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, passes);
    }

    [Fact]
    public async Task ManyRequestsDuringAPass_CoalesceIntoOneMore()
    {
        var release = new TaskCompletionSource();
        var passes = 0;
        var concurrent = 0;
        var maxConcurrent = 0;
        var pass = new CoalescedPass(async _ =>
        {
            var now = Interlocked.Increment(ref concurrent);
            maxConcurrent = Math.Max(maxConcurrent, now);
            Interlocked.Increment(ref passes);
            await release.Task;
            Interlocked.Decrement(ref concurrent);
        }, CancellationToken.None);

        var requests = Enumerable.Range(0, 50).Select(_ => Task.Run(pass.RequestAsync)).ToList();
        await Task.Delay(50);
        release.SetResult();
        await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, maxConcurrent);
        Assert.InRange(passes, 1, 2);
    }

    [Fact]
    public async Task APassThatThrows_StillCompletesTheRequest_AndTheNextRequestRunsAgain()
    {
        var passes = 0;
        var pass = new CoalescedPass(_ => Interlocked.Increment(ref passes) == 1 ? throw new InvalidOperationException("store down") : Task.CompletedTask, CancellationToken.None);
        await pass.RequestAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await pass.RequestAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, passes);
    }

    [Fact]
    public async Task WhenStopping_RequestsCompleteWithoutAPass()
    {
        using var stopping = new CancellationTokenSource();
        var passes = 0;
        var pass = new CoalescedPass(_ => { passes++; return Task.CompletedTask; }, stopping.Token);
        await stopping.CancelAsync();
        await pass.RequestAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, passes);
    }
}
