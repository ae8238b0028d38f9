using Orchestrator.Cluster.Tests.Infrastructure.Cluster;
using Orchestrator.Core.States;

namespace Orchestrator.Cluster.Tests.Faults;

/// <summary>Issue 12, fault 4: kill the scheduler in the middle of a run and start it again: the run completes. The
/// worker carries on alone as far as it may (it starts an all_success task right after its upstream's success); an
/// all_done task needs a scheduler, and gets one when it is back.</summary>
public sealed class SchedulerKilledTests(ITestOutputHelper output) : ClusterFaultTest(output)
{
    [Fact(Timeout = 120_000)]
    public async Task Kill9OfTheSchedulerMidRun_ThenStartAgain_TheRunCompletes_WithoutRerunningAnything()
    {
        var release = Path.Combine(Marks, "release");
        Cluster.WriteDag("scheduler_killed.json", JsonDags.Dag("scheduler_killed",
        [
            JsonDags.Shell("before", MarkRan("before")),
            JsonDags.Shell("during", $"{MarkRan("during")}; {JsonDags.WaitForFile(release)}; echo done", dependsOn: ["before"], retries: 0),
            JsonDags.Shell("after", MarkRan("after"), dependsOn: ["during"]),
            WithTriggerRule(JsonDags.Shell("last", MarkRan("last"), dependsOn: ["after"]), "all_done"),
        ]));
        await Cluster.StartAsync(schedulers: 1, workers: 1);
        var watcher = await Cluster.WatcherAsync();
        var runId = await Cluster.TriggerAsync("scheduler_killed");
        await watcher.WaitForTaskStateAsync(runId, "during", TaskInstanceState.Running, RunTimeout);

        await Cluster.Schedulers[0].Kill9Async();
        // The try ends with no scheduler alive: the worker's report of it is in the store, the worker starts "after"
        // itself, and nothing else moves until a scheduler records both and carries on.
        await File.WriteAllTextAsync(release, "go");
        var report = await RunWatcher.WaitUntilAsync(
            async () => (await watcher.Store.TryReports.ListAsync([new Core.Model.RunId(runId)], 10, default)).FirstOrDefault(r => r.TaskId.Value == "during"),
            RunTimeout, () => watcher.DescribeAsync(runId));
        Assert.Equal(("success", 1, "after"), (report.Outcome, report.TryNumber, report.FollowedTask?.Value));
        await RunWatcher.WaitUntilAsync(
            async () => (await watcher.Store.TryReports.ListAsync([new Core.Model.RunId(runId)], 10, default)).FirstOrDefault(r => r.TaskId.Value == "after"),
            RunTimeout, () => watcher.DescribeAsync(runId));
        Assert.Equal(TaskInstanceState.None, (await watcher.TasksAsync(runId)).Single(t => t.TaskId.Value == "last").State);
        Cluster.StartScheduler();

        var run = await watcher.WaitForRunEndAsync(runId, RunTimeout);
        Assert.True(run.State == DagRunState.Success, await watcher.DescribeAsync(runId));
        AssertAlive(Cluster.Workers[0]);
        Assert.Single(await watcher.ListRunsAsync("scheduler_killed"));
        foreach (var task in new[] { "before", "during", "after", "last" })
        {
            var only = Assert.Single(await watcher.TriesAsync(runId, task));
            Assert.Equal("success", only.Outcome);
        }

        Assert.Equal(["before try 1", "during try 1", "after try 1", "last try 1"], RanLines());
    }

    private static System.Text.Json.Nodes.JsonObject WithTriggerRule(System.Text.Json.Nodes.JsonObject task, string rule)
    {
        task["triggerRule"] = rule;
        return task;
    }
}
