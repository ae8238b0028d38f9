using Orchestrator.Cluster.Tests.Infrastructure.Cluster;
using Orchestrator.Core.States;

namespace Orchestrator.Cluster.Tests.Faults;

/// <summary>Issue 12, fault 3: restart PostgreSQL in the middle of a run: the run completes, every process keeps
/// running, and no run or try is lost or duplicated. Also with the harder outage: SIGKILL of the server.</summary>
public sealed class DatabaseOutageTests(ITestOutputHelper output) : ClusterFaultTest(output)
{
    [Theory(Timeout = 120_000)]
    [InlineData("restart")]
    [InlineData("kill")]
    public async Task PostgresRestartedMidRun_TheRunCompletes_AndEveryProcessRidesItOut(string outage)
    {
        var release = Path.Combine(Marks, "release");
        Cluster.WriteDag("outage.json", JsonDags.Dag("outage",
        [
            JsonDags.Shell("before", MarkRan("before")),
            JsonDags.Shell("during", $"{MarkRan("during")}; {JsonDags.WaitForFile(release)}; echo done", dependsOn: ["before"], retries: 0),
            JsonDags.Shell("after", MarkRan("after"), dependsOn: ["during"]),
        ]));
        await Cluster.StartAsync(schedulers: 1, workers: 1, webserver: true);
        var watcher = await Cluster.WatcherAsync();
        var runId = await Cluster.TriggerAsync("outage");
        await watcher.WaitForTaskStateAsync(runId, "during", TaskInstanceState.Running, RunTimeout);

        if (outage == "kill")
        {
            await Postgres.KillAsync();
        }
        else
        {
            await Postgres.StopAsync(fast: true);
        }

        // The task finishes while the database is down: its end must be recorded once the database is back.
        await File.WriteAllTextAsync(release, "go");
        await Postgres.StartAsync();

        var run = await watcher.WaitForRunEndAsync(runId, RunTimeout);
        Assert.True(run.State == DagRunState.Success, await watcher.DescribeAsync(runId));
        AssertAlive(Cluster.Schedulers[0]);
        AssertAlive(Cluster.Workers[0]);
        AssertAlive(Cluster.Webserver!);
        await ClusterTopology.WaitHealthyAsync(Cluster.Webserver!, Cluster.WebPort!.Value, TimeSpan.FromSeconds(30));

        Assert.Single(await watcher.ListRunsAsync("outage"));
        foreach (var task in new[] { "before", "during", "after" })
        {
            var only = Assert.Single(await watcher.TriesAsync(runId, task));
            Assert.Equal("success", only.Outcome);
        }

        Assert.Equal(["before try 1", "during try 1", "after try 1"], RanLines());
    }
}
