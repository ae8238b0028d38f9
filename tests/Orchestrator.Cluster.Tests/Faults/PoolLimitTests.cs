using System.Globalization;
using System.Text.Json.Nodes;
using Orchestrator.Cluster.Tests.Infrastructure.Cluster;
using Orchestrator.Core.States;

namespace Orchestrator.Cluster.Tests.Faults;

/// <summary>Issue 12, item 5 (pools): a pool of 2 slots holds at most 2 of its tasks queued or running at once across
/// every worker and scheduler of the cluster, while the workers have room for more.</summary>
public sealed class PoolLimitTests(ITestOutputHelper output) : ClusterFaultTest(output)
{
    private const int TasksPerRun = 4;

    [Fact(Timeout = 150_000)]
    public async Task APoolOfTwo_RunsAtMostTwoTrainingTasksAtOnce_AcrossTwoWorkersAndTwoSchedulers()
    {
        Cluster.WriteDag("pooled.json", JsonDags.Dag("pooled", [.. Enumerable.Range(1, TasksPerRun).Select(i => Training($"train{i}"))]));
        await Cluster.StartAsync(schedulers: 2, workers: 2, concurrency: 4);
        var watcher = await Cluster.WatcherAsync();
        var set = await Cluster.RunAsync("pools", "set", "training", "2", "--description", "at most two trainings");
        Assert.True(set.ExitCode == 0, set.Tail());

        var runs = new[] { await Cluster.TriggerAsync("pooled"), await Cluster.TriggerAsync("pooled") };
        var mostTaken = 0;
        await RunWatcher.WaitUntilAsync(
            async () =>
            {
                var pool = await watcher.Store.Pools.GetAsync("training", default);
                mostTaken = Math.Max(mostTaken, pool!.Running + pool.Queued);
                Assert.True(pool.Running + pool.Queued <= 2, $"pool over its slots: {pool}");
                var ended = await Task.WhenAll(runs.Select(watcher.GetRunAsync));
                return ended.All(r => r!.State is DagRunState.Success or DagRunState.Failed) ? "done" : null;
            },
            TimeSpan.FromSeconds(120),
            async () => $"the runs did not finish: {string.Join("; ", await Task.WhenAll(runs.Select(watcher.DescribeAsync)))}");

        var counts = new List<int>();
        foreach (var run in runs)
        {
            Assert.True((await watcher.GetRunAsync(run))!.State == DagRunState.Success, await watcher.DescribeAsync(run));
            Assert.Equal(TasksPerRun, (await watcher.TriesAsync(run)).Count);
            counts.AddRange((await watcher.Store.Outputs.GetAllAsync(new Core.Model.RunId(run), default)).Values.Select(v => int.Parse(v, CultureInfo.InvariantCulture)));
        }

        Assert.Equal(2 * TasksPerRun, counts.Count);
        Assert.True(counts.Max() <= 2, $"tasks running at once, as each saw it: {string.Join(",", counts)}");
        Assert.Equal(2, mostTaken); // the pool was full at some point: eight tasks waited for two slots
        Assert.All(Cluster.Workers, AssertAlive);
    }

    /// <summary>A task of pool "training" that marks itself running for a second and outputs how many were marked
    /// running when it started (itself included), across every worker (they share the marks folder).</summary>
    private JsonObject Training(string id)
    {
        var mark = $"'{Marks}/running-{id}-'\"$ORCHESTRATOR_RUN_ID\"";
        var task = JsonDags.Shell(id, $"touch {mark}; n=$(ls '{Marks}' | grep -c '^running-'); sleep 1; rm {mark}; echo $n");
        task["pool"] = "training";
        return task;
    }
}
