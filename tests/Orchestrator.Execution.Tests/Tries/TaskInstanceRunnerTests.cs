using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.Retries;
using Orchestrator.Core.States;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Execution.Tests.Tries;

public class TaskInstanceRunnerTests
{
    [Fact]
    public async Task Retry_WaitsExponentially_AndIsCappedAtMaxDelay()
    {
        var time = new SteppedTimeProvider();
        var observer = new RecordingObserver();
        var policy = new RetryPolicy { Retries = 3, Delay = TimeSpan.FromSeconds(10), Backoff = RetryBackoff.Exponential, MaxDelay = TimeSpan.FromSeconds(25) };
        var (runner, task) = CreateSut(time, policy, failures: 3);

        var run = runner.RunAllTriesAsync(Requests.For(task), observer, null, CancellationToken.None);
        for (var retry = 0; retry < 3; retry++)
        {
            await time.WaitForTimerAsync();
            time.Advance(observer.Retries.Last().Delay);
        }

        var result = await run;
        Assert.Equal(TaskInstanceState.Success, result.FinalState);
        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(25)], observer.Retries.Select(r => r.Delay));
        Assert.Equal([0, 10, 30, 55], result.Tries.Select(t => (t.StartedAt - result.Tries[0].StartedAt).TotalSeconds));
        Assert.Equal(result.Tries[1].StartedAt, observer.Retries.First().NextTryAt);
        Assert.Equal([1, 2, 3], observer.Retries.Select(r => r.Try));
        Assert.Equal("try 1 failed", observer.Retries.First().Reason);
    }

    [Fact]
    public async Task Retry_WaitsTheSameEachTime_WhenBackoffIsFixed()
    {
        var time = new SteppedTimeProvider();
        var observer = new RecordingObserver();
        var (runner, task) = CreateSut(time, new RetryPolicy { Retries = 2, Delay = TimeSpan.FromSeconds(30) }, failures: 5);

        var run = runner.RunAllTriesAsync(Requests.For(task), observer, null, CancellationToken.None);
        for (var retry = 0; retry < 2; retry++)
        {
            await time.WaitForTimerAsync();
            time.Advance(TimeSpan.FromSeconds(30));
        }

        var result = await run;
        Assert.Equal(TaskInstanceState.Failed, result.FinalState);
        Assert.Equal(3, result.Tries.Count);
        Assert.Equal("try 3 failed", result.Error);
        Assert.All(observer.Retries, r => Assert.Equal(TimeSpan.FromSeconds(30), r.Delay));
    }

    [Fact]
    public async Task Jitter_DrawsEachWaitBetweenHalfTheDelayAndTheDelay()
    {
        var time = new SteppedTimeProvider();
        var observer = new RecordingObserver();
        var (runner, task) = CreateSut(time, new RetryPolicy { Retries = 20, Delay = TimeSpan.FromSeconds(100), Jitter = true }, failures: 20);

        var run = runner.RunAllTriesAsync(Requests.For(task), observer, null, CancellationToken.None);
        for (var retry = 0; retry < 20; retry++)
        {
            await time.WaitForTimerAsync();
            time.Advance(observer.Retries.Last().Delay);
        }

        await run;
        Assert.All(observer.Retries, r => Assert.InRange(r.Delay.TotalSeconds, 50, 100));
        Assert.True(observer.Retries.Select(r => r.Delay).Distinct().Count() > 1);
    }

    [Fact]
    public async Task NoRetries_MeansOneTry()
    {
        var (runner, task) = CreateSut(new SteppedTimeProvider(), RetryPolicy.None, failures: 1);

        var result = await runner.RunAllTriesAsync(Requests.For(task), NullTryObserver.Instance, null, CancellationToken.None);

        Assert.Equal((TaskInstanceState.Failed, 1), (result.FinalState, result.Tries.Count));
    }

    [Fact]
    public async Task Timeout_FailsTheTry_AndTheNextTryRuns()
    {
        var time = new SteppedTimeProvider();
        var tries = 0;
        var registry = new TaskTypeRegistry().Register("hang", new ScriptedExecutor(async (_, token) =>
        {
            if (Interlocked.Increment(ref tries) == 1)
            {
                await Task.Delay(Timeout.Infinite, token);
            }

            return JsonSerializer.SerializeToElement("done");
        }));
        var task = new TaskDefinition
        {
            Id = new TaskId("t"), Type = "hang", Timeout = TimeSpan.FromMinutes(1),
            Retry = new RetryPolicy { Retries = 1, Delay = TimeSpan.FromSeconds(5) },
        };

        var run = new TaskInstanceRunner(registry, time).RunAllTriesAsync(Requests.For(task), NullTryObserver.Instance, null, CancellationToken.None);
        await time.WaitForTimerAsync(); // the first try's timeout
        time.Advance(TimeSpan.FromMinutes(1));
        await time.WaitForTimerAsync(); // the retry delay
        time.Advance(TimeSpan.FromSeconds(5));

        var result = await run;
        Assert.Equal(TaskInstanceState.Success, result.FinalState);
        Assert.Equal((TryOutcome.TimedOut, "timed out after 1m"), (result.Tries[0].Outcome, result.Tries[0].Error));
        Assert.Equal("done", result.Output!.Value.GetString());
    }

    [Fact]
    public async Task CancellingTheRun_StopsWithoutRetrying()
    {
        using var cancel = new CancellationTokenSource();
        var registry = new TaskTypeRegistry().Register("hang", new ScriptedExecutor(async (_, token) =>
        {
            await cancel.CancelAsync();
            await Task.Delay(Timeout.Infinite, token);
            return null;
        }));
        var task = new TaskDefinition { Id = new TaskId("t"), Type = "hang", Retry = new RetryPolicy { Retries = 5, Delay = TimeSpan.Zero } };
        var observer = new RecordingObserver();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new TaskInstanceRunner(registry, TimeProvider.System).RunAllTriesAsync(Requests.For(task), observer, null, cancel.Token));

        Assert.Empty(observer.Retries);
        Assert.Equal(TryOutcome.Cancelled, Assert.Single(observer.Finished).Outcome);
    }

    [Fact]
    public async Task TemplateError_FailsTheTry_WithItsMessage()
    {
        using var args = JsonDocument.Parse("""{"command": "echo {{ params.nope }}"}""");
        var task = new TaskDefinition { Id = new TaskId("t"), Type = "empty", Args = args.RootElement.Clone() };

        var result = await new TaskInstanceRunner(TaskTypeRegistry.CreateDefault(), TimeProvider.System)
            .RunAllTriesAsync(Requests.For(task), NullTryObserver.Instance, null, CancellationToken.None);

        Assert.Equal("{{ params.nope }}: no param 'nope'; known params: (none)", result.Error);
    }

    private static (TaskInstanceRunner Runner, TaskDefinition Task) CreateSut(TimeProvider time, RetryPolicy policy, int failures)
    {
        var calls = 0;
        var registry = new TaskTypeRegistry().Register("flaky", new ScriptedExecutor((execution, _) =>
            ++calls <= failures
                ? throw new TaskFailedException($"try {execution.TryNumber} failed")
                : Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(calls))));
        return (new TaskInstanceRunner(registry, time), new TaskDefinition { Id = new TaskId("flaky"), Type = "flaky", Retry = policy });
    }
}
