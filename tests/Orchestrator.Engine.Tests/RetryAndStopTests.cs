using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Runs;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Tests;

/// <summary>A waiting retry holds no worker; stopping or crashing the engine does not fail runs, nor use up retries.</summary>
public class RetryAndStopTests
{
    [Fact]
    public async Task AWaitingRetry_HoldsNoWorker_OtherRunsGoOnMeanwhile()
    {
        await using var engine = await EngineFixture.StartAsync(workers: 1);
        var flaky = new DagBuilder("flaky");
        flaky.Shell("f", "test $ORCHESTRATOR_TRY_NUMBER -ge 2").Retries(1, "4s");
        var quick = new DagBuilder("quick");
        quick.Shell("q", "echo quick");
        var flakyRun = await engine.TriggerAsync(engine.Register(flaky));
        await Eventually.WaitUntilAsync(async () => (await engine.TasksAsync(flakyRun))["f"].State == TaskInstanceState.UpForRetry);

        var quickDag = engine.Register(quick);
        var quickRuns = new List<RunId>();
        for (var i = 0; i < 3; i++)
        {
            quickRuns.Add(await engine.TriggerAsync(quickDag));
        }

        foreach (var run in quickRuns)
        {
            Assert.Equal(DagRunState.Success, await engine.FinishedAsync(run));
        }

        Assert.Equal(TaskInstanceState.UpForRetry, (await engine.TasksAsync(flakyRun))["f"].State); // still waiting its 4 s
        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(flakyRun));
    }

    [Fact]
    public async Task ExponentialBackoff_IsRecordedAsEachRetrysDueTime()
    {
        // A fake clock that moves only when the test says: each retry's wait is checked to the millisecond, however
        // loaded the machine (real waits were bounded in wall-clock time before, and that failed under load).
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var engine = await EngineFixture.StartAsync(time: time);
        var dag = new DagBuilder("backoff");
        dag.Shell("b", "test $ORCHESTRATOR_TRY_NUMBER -ge 4").Retries(3, "200ms").ExponentialBackoff("500ms");
        var run = await engine.TriggerAsync(engine.Register(dag));
        var task = new TaskId("b");

        // waits 200 ms, 400 ms, then 800 ms capped at 500 ms
        var dueTimes = new List<DateTimeOffset>();
        foreach (var (failedTry, wait) in new[] { (1, 200), (2, 400), (3, 500) })
        {
            var waiting = await Eventually.ValueAsync(async () =>
                (await engine.TasksAsync(run))["b"] is { State: TaskInstanceState.UpForRetry } instance && instance.TryNumber == failedTry ? instance : null);
            var failed = (await engine.Store.TaskInstances.ListTriesAsync(run, task, default))[failedTry - 1];
            var due = failed.EndedAt!.Value + TimeSpan.FromMilliseconds(wait);
            Assert.Equal(due, waiting.NextTryAt); // the due time recorded with the failure
            dueTimes.Add(due);

            time.Advance(due - TimeSpan.FromMilliseconds(1) - time.GetUtcNow()); // a millisecond short: the retry waits
            Assert.Equal(TaskInstanceState.UpForRetry, (await engine.TasksAsync(run))["b"].State);
            time.Advance(TimeSpan.FromMilliseconds(1));
            var next = await Eventually.ValueAsync(async () =>
                (await engine.Store.TaskInstances.ListTriesAsync(run, task, default)).FirstOrDefault(t => t.TryNumber == failedTry + 1));
            Assert.Equal(due, next.StartedAt); // started once due (the clock stands still at the due time)
        }

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(run));
        var history = await engine.Store.TaskInstances.HistoryAsync(run, task, default);
        Assert.Equal(3, history.Count(h => h.To == TaskInstanceState.UpForRetry));
        // queued again exactly when due, never a millisecond before
        Assert.Equal(dueTimes, history.Where(h => h.From == TaskInstanceState.UpForRetry && h.To == TaskInstanceState.Queued).Select(h => h.At));
        Assert.Equal(4, (await engine.Store.TaskInstances.ListTriesAsync(run, task, default)).Count);
    }

    [Fact]
    public async Task StopDuringATry_WithNoRetries_InterruptsIt_AndTheNextStartRunsItAgain()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("long");
        dag.Shell("slow", "if [ $ORCHESTRATOR_TRY_NUMBER -eq 1 ]; then sleep 30; fi; echo done").Then(dag.Empty("after"));
        var loaded = engine.Register(dag);
        var run = await engine.TriggerAsync(loaded);
        await Eventually.WaitUntilAsync(async () => (await engine.TasksAsync(run))["slow"].State == TaskInstanceState.Running);

        Assert.Equal(1, await engine.StopAndRestartAsync(TimeSpan.FromMilliseconds(300)));
        var stopped = (await engine.TasksAsync(run))["slow"];
        Assert.Equal((TaskInstanceState.UpForRetry, 2), (stopped.State, stopped.MaxTries)); // the interrupted try was given back

        Assert.True(await engine.Coordinator.StartAsync(run, default));
        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(run));
        var tries = await engine.Store.TaskInstances.ListTriesAsync(run, new TaskId("slow"), default);
        Assert.Equal([(RunCoordinator.InterruptedOutcome, 1), ("success", 2)], tries.Select(t => (t.Outcome!, t.TryNumber)));
    }

    [Fact]
    public async Task StopWithinTheGrace_LetsARunningTryFinish()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("short");
        dag.Shell("s", "sleep 0.5; echo finished");
        var run = await engine.TriggerAsync(engine.Register(dag));
        await Eventually.WaitUntilAsync(async () => (await engine.TasksAsync(run))["s"].State == TaskInstanceState.Running);

        Assert.Equal(0, await engine.StopAndRestartAsync(TimeSpan.FromSeconds(20)));

        Assert.Equal(TaskInstanceState.Success, (await engine.TasksAsync(run))["s"].State);
        Assert.Equal(DagRunState.Success, (await engine.Store.Runs.GetAsync(run, default))!.State);
    }

    [Fact]
    public async Task ACrashDuringATry_WithNoRetries_DoesNotFailTheRun()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("crashy");
        dag.Shell("c", "if [ $ORCHESTRATOR_TRY_NUMBER -eq 1 ]; then sleep 30; fi; echo ok");
        var run = await engine.TriggerAsync(engine.Register(dag));
        await Eventually.WaitUntilAsync(async () => (await engine.TasksAsync(run))["c"].State == TaskInstanceState.Running);

        await engine.RestartAsync();
        Assert.True(await engine.Coordinator.StartAsync(run, default));

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(run));
        var tries = await engine.Store.TaskInstances.ListTriesAsync(run, new TaskId("c"), default);
        Assert.Equal([(RunCoordinator.LostOutcome, 1), ("success", 2)], tries.Select(t => (t.Outcome!, t.TryNumber)));
    }

    [Fact]
    public async Task OnResume_TheLostTriesOfARun_AreStoppedTogether_NotOneAfterAnother()
    {
        var cleaner = new TogetherCleaner(expected: 4);
        await using var engine = await EngineFixture.StartAsync(workers: 4, lostTries: cleaner);
        var dag = new DagBuilder("wide");
        for (var i = 0; i < 4; i++)
        {
            dag.Shell($"w{i}", "if [ $ORCHESTRATOR_TRY_NUMBER -eq 1 ]; then sleep 30; fi; echo ok");
        }

        var run = await engine.TriggerAsync(engine.Register(dag));
        await Eventually.WaitUntilAsync(async () => (await engine.TasksAsync(run)).Values.All(t => t.State == TaskInstanceState.Running));

        await engine.RestartAsync();
        Assert.True(await engine.Coordinator.StartAsync(run, default));

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(run));
        Assert.Equal(4, cleaner.MostAtOnce);
    }

    /// <summary>Says a lost try is stopped only once all the expected ones are being stopped at the same time.</summary>
    private sealed class TogetherCleaner(int expected) : ILostTryCleaner
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _now;

        public int MostAtOnce { get; private set; }

        public async Task<bool> StopAsync(TaskInstanceRecord lostTry, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _now);
            MostAtOnce = Math.Max(MostAtOnce, now);
            if (now == expected)
            {
                _all.TrySetResult();
            }

            return await Task.WhenAny(_all.Task, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken)) == _all.Task;
        }
    }

    [Fact]
    public async Task ATaskLostThreeTimesInARow_FailsWithThatReason()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("doomed");
        dag.Shell("d", "sleep 30").Retries(5, "10ms");
        var run = await engine.TriggerAsync(engine.Register(dag));
        for (var crash = 1; crash <= RunCoordinator.MaxLostInARow; crash++)
        {
            var tryNumber = crash;
            await Eventually.WaitUntilAsync(async () => (await engine.TasksAsync(run))["d"] is { State: TaskInstanceState.Running } t && t.TryNumber == tryNumber);
            await engine.RestartAsync();
            Assert.True(await engine.Coordinator.StartAsync(run, default));
        }

        Assert.Equal(DagRunState.Failed, await engine.FinishedAsync(run));
        var task = (await engine.TasksAsync(run))["d"];
        Assert.Equal(TaskInstanceState.Failed, task.State);
        Assert.Equal($"lost or interrupted {RunCoordinator.MaxLostInARow} times in a row; not tried again", task.StateReason);
        Assert.Equal(RunCoordinator.MaxLostInARow, (await engine.Store.TaskInstances.ListTriesAsync(run, new TaskId("d"), default)).Count);
    }
}
