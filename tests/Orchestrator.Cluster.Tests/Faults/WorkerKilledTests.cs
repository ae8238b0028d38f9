using Orchestrator.Cluster.Tests.Infrastructure.Cluster;
using Orchestrator.Core.States;

namespace Orchestrator.Cluster.Tests.Faults;

/// <summary>Issue 12, fault 1: kill -9 the worker running a task: the run completes on another worker; that task
/// shows two tries (the first "worker lost"); no other task re-ran.</summary>
public sealed class WorkerKilledTests(ITestOutputHelper output) : ClusterFaultTest(output)
{
    [Fact(Timeout = 180_000)]
    public async Task Kill9OfTheWorkerRunningATask_TheRunCompletesOnAnotherWorker_WithTheFirstTryWorkerLost()
    {
        // Try 1 of "held" records its shell's pid and blocks (bounded) so the kill lands mid-try; try 2 returns at
        // once. No retries: a try lost with its worker must not use one up.
        Cluster.WriteDag("worker_killed.json", JsonDags.Dag("worker_killed",
        [
            JsonDags.Shell("before", MarkRan("before")),
            JsonDags.Shell("held",
                $"{MarkRan("held")}; if [ \"$ORCHESTRATOR_TRY_NUMBER\" = 1 ]; then echo $$ > '{Marks}/held.pid'; " +
                $"{JsonDags.WaitForFile(Path.Combine(Marks, "never"), seconds: 150)}; fi; echo done",
                dependsOn: ["before"], retries: 0),
            JsonDags.Shell("after", MarkRan("after"), dependsOn: ["held"]),
        ]));
        await Cluster.StartAsync(schedulers: 1, workers: 2);
        var watcher = await Cluster.WatcherAsync();

        var runId = await Cluster.TriggerAsync("worker_killed");
        await watcher.WaitForTaskStateAsync(runId, "held", TaskInstanceState.Running, RunTimeout);
        var victim = await WorkerRunningAsync("held.pid");
        var survivor = Assert.Single(Cluster.Workers, w => w != victim);
        await victim.Kill9Async();

        var run = await watcher.WaitForRunEndAsync(runId, LostWorkerRunTimeout);
        Assert.True(run.State == DagRunState.Success, await watcher.DescribeAsync(runId));
        AssertAlive(survivor);

        var tries = await watcher.TriesAsync(runId, "held");
        Assert.Equal([1, 2], tries.Select(t => t.TryNumber));
        Assert.Equal("lost", tries[0].Outcome);
        var reasons = (await watcher.HistoryAsync(runId, "held")).Select(c => c.Reason).Append(tries[0].Error);
        Assert.Contains(reasons, r => r?.Contains(WorkerLost, StringComparison.Ordinal) == true);
        Assert.Equal("success", tries[1].Outcome);
        Assert.NotEqual(tries[0].WorkerId, tries[1].WorkerId);

        // Nothing else ran twice: one try each in the store and one mark each on disk.
        Assert.Single(await watcher.TriesAsync(runId, "before"));
        Assert.Single(await watcher.TriesAsync(runId, "after"));
        Assert.Equal(["before try 1", "held try 1", "held try 2", "after try 1"], RanLines());
    }
}
