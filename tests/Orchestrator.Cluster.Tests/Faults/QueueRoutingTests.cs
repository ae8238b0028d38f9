using Orchestrator.Cluster.Tests.Infrastructure.Cluster;
using Orchestrator.Core.States;

namespace Orchestrator.Cluster.Tests.Faults;

/// <summary>Issue 12, item 5 (routing): a task's queue decides which workers may run it — a worker serving only
/// "training" runs the training task and nothing else; a worker serving "default" never runs it.</summary>
public sealed class QueueRoutingTests(ITestOutputHelper output) : ClusterFaultTest(output)
{
    [Fact(Timeout = 120_000)]
    public async Task ATaskOfTheTrainingQueue_RunsOnlyOnAWorkerServingIt()
    {
        Cluster.WriteDag("routed.json", JsonDags.Dag("routed",
        [
            JsonDags.Shell("prepare", MarkRan("prepare")),
            JsonDags.Shell("train", MarkRan("train"), dependsOn: ["prepare"], queue: "training"),
            JsonDags.Shell("report", MarkRan("report"), dependsOn: ["train"]),
        ]));
        await Cluster.MigrateAsync();
        Cluster.StartScheduler();
        var general = Cluster.StartWorker(["default"]);
        var trainer = Cluster.StartWorker(["training"]);
        var watcher = await Cluster.WatcherAsync();

        var runId = await Cluster.TriggerAsync("routed");
        var run = await watcher.WaitForRunEndAsync(runId, RunTimeout);

        Assert.True(run.State == DagRunState.Success, await watcher.DescribeAsync(runId));
        var ranOn = (await watcher.TriesAsync(runId)).ToDictionary(t => t.TaskId.Value, t => t.WorkerId!);
        Assert.StartsWith($":{trainer.Pid}:", ranOn["train"][ranOn["train"].IndexOf(':', StringComparison.Ordinal)..], StringComparison.Ordinal);
        foreach (var task in new[] { "prepare", "report" })
        {
            Assert.StartsWith($":{general.Pid}:", ranOn[task][ranOn[task].IndexOf(':', StringComparison.Ordinal)..], StringComparison.Ordinal);
        }

        Assert.Equal(["prepare try 1", "train try 1", "report try 1"], RanLines());
    }
}
