using Orchestrator.Cluster.Tests.Infrastructure.Cluster;
using Orchestrator.Core.States;

namespace Orchestrator.Cluster.Tests.Faults;

/// <summary>Issue 12, fault 5: a task with a 30 s retry delay failing on a 1-worker cluster does not block other tasks
/// meanwhile (the waiting retry holds no worker slot), and its retry still runs when due.</summary>
public sealed class RetryDelayTests(ITestOutputHelper output) : ClusterFaultTest(output)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 120_000)]
    public async Task ATaskWaitingThirtySecondsToRetry_DoesNotBlockOtherTasks_OnAOneSlotWorker()
    {
        Cluster.WriteDag("flaky.json", JsonDags.Dag("flaky",
        [
            JsonDags.Shell("flaky", $"{MarkRan("flaky")}; [ \"$ORCHESTRATOR_TRY_NUMBER\" -ge 2 ]", retries: 1, retryDelay: "30s"),
        ]));
        Cluster.WriteDag("others.json", JsonDags.Dag("others",
        [
            JsonDags.Shell("one", MarkRan("one")),
            JsonDags.Shell("two", MarkRan("two")),
            JsonDags.Shell("three", MarkRan("three"), dependsOn: ["one", "two"]),
        ]));
        await Cluster.StartAsync(schedulers: 1, workers: 1, concurrency: 1);
        var watcher = await Cluster.WatcherAsync();

        var flakyRun = await Cluster.TriggerAsync("flaky");
        var waiting = await watcher.WaitForTaskStateAsync(flakyRun, "flaky", TaskInstanceState.UpForRetry, RunTimeout);
        Assert.NotNull(waiting.NextTryAt);
        var othersRun = await Cluster.TriggerAsync("others");
        var others = await watcher.WaitForRunEndAsync(othersRun, RunTimeout);

        // The others finished while the retry was still waiting: its delay held no slot of the only worker.
        Assert.True(others.State == DagRunState.Success, await watcher.DescribeAsync(othersRun));
        Assert.True(others.EndedAt < waiting.NextTryAt, $"others ended {others.EndedAt:O}, the retry was due {waiting.NextTryAt:O}");
        Assert.Equal(TaskInstanceState.UpForRetry, (await watcher.TasksAsync(flakyRun)).Single().State);

        // And the retry runs when due, not before.
        var flaky = await watcher.WaitForRunEndAsync(flakyRun, RunTimeout);
        Assert.True(flaky.State == DagRunState.Success, await watcher.DescribeAsync(flakyRun));
        var tries = await watcher.TriesAsync(flakyRun, "flaky");
        Assert.Equal(["failed", "success"], tries.Select(t => t.Outcome));
        Assert.True(tries[1].StartedAt >= tries[0].EndedAt!.Value + RetryDelay - TimeSpan.FromSeconds(1),
            $"try 2 started {tries[1].StartedAt:O}, try 1 ended {tries[0].EndedAt:O}: sooner than the 30 s delay");
        // Try 1 of flaky, then the others ("one" and "two" in either order on the single slot), then flaky's retry.
        var ran = RanLines();
        Assert.Equal(5, ran.Length);
        Assert.Equal("flaky try 1", ran[0]);
        Assert.Equal(["one try 1", "two try 1"], ran[1..3].Order(StringComparer.Ordinal));
        Assert.Equal(["three try 1", "flaky try 2"], ran[3..]);
    }
}
