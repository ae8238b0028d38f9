using System.Globalization;
using Orchestrator.Cluster.Tests.Infrastructure.Cluster;
using Orchestrator.Cluster.Tests.Infrastructure.Postgres;
using Orchestrator.Core.States;

namespace Orchestrator.Cluster.Tests.SelfTests;

/// <summary>The process harness on what exists today: <c>standalone</c> on a private PostgreSQL, a DAG triggered with
/// <c>dags trigger</c> from another process, and kill -9 of the engine mid-run followed by a restart.</summary>
public sealed class StandaloneOnPostgresTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(40);

    [Fact(Timeout = 60_000)]
    public async Task TriggeredDag_CompletesOnStandalone()
    {
        await using var postgres = await PrivatePostgres.CreateAsync();
        await using var cluster = await ClusterTopology.CreateAsync(postgres, output);
        cluster.WriteDag("hello.json", JsonDags.Dag("hello",
        [
            JsonDags.Shell("say", "echo '{\"word\": \"hello\"}'"),
            JsonDags.Shell("repeat", "echo got {{ outputs.say.word }}", dependsOn: ["say"]),
        ]));
        await StartStandaloneAsync(cluster);

        var runId = await cluster.TriggerAsync("hello");
        var watcher = await cluster.WatcherAsync();
        var run = await watcher.WaitForRunEndAsync(runId, RunTimeout);

        Assert.True(run.State == DagRunState.Success, await watcher.DescribeAsync(runId));
        Assert.All(await watcher.TasksAsync(runId), task => Assert.Equal(TaskInstanceState.Success, task.State));
        var repeat = Assert.Single(await watcher.TriesAsync(runId, "repeat"));
        Assert.Equal("success", repeat.Outcome);
    }

    [Fact(Timeout = 60_000)]
    public async Task Kill9OfStandaloneMidRun_ThenRestart_CompletesTheRun_WithoutRerunningFinishedTasks()
    {
        await using var postgres = await PrivatePostgres.CreateAsync();
        await using var cluster = await ClusterTopology.CreateAsync(postgres, output);
        var marks = Directory.CreateDirectory(Path.Combine(cluster.Root, "marks")).FullName;
        var release = Path.Combine(marks, "release");
        // "first" runs once; "slow" waits for the test's release file, so the kill lands while it runs; no retries:
        // a try lost to a dead engine must not use one up.
        cluster.WriteDag("interrupted.json", JsonDags.Dag("interrupted",
        [
            JsonDags.Shell("first", $"echo ran >> '{marks}/first'"),
            JsonDags.Shell("slow", $"touch '{marks}/slow-started'; {JsonDags.WaitForFile(release)}; echo done", dependsOn: ["first"], retries: 0),
        ]));
        var first = await StartStandaloneAsync(cluster);
        var runId = await cluster.TriggerAsync("interrupted");
        var watcher = await cluster.WatcherAsync();
        await watcher.WaitForTaskStateAsync(runId, "slow", TaskInstanceState.Running, RunTimeout);

        await first.Kill9Async();
        await File.WriteAllTextAsync(release, "go");
        await StartStandaloneAsync(cluster);
        var run = await watcher.WaitForRunEndAsync(runId, RunTimeout);

        Assert.True(run.State == DagRunState.Success, await watcher.DescribeAsync(runId));
        var tries = await watcher.TriesAsync(runId, "slow");
        Assert.Equal([1, 2], tries.Select(t => t.TryNumber));
        Assert.Equal("lost", tries[0].Outcome);
        Assert.Equal("success", tries[1].Outcome);
        Assert.Single(await watcher.TriesAsync(runId, "first"));
        Assert.Equal(["ran"], await File.ReadAllLinesAsync(Path.Combine(marks, "first")));
    }

    private static async Task<Infrastructure.Processes.OrchestratorProcess> StartStandaloneAsync(ClusterTopology cluster)
    {
        var port = Infrastructure.FreePorts.Next();
        var standalone = cluster.Launch("standalone", "standalone", "--dags", cluster.Dags, "--port", port.ToString(CultureInfo.InvariantCulture), "--workers", "2");
        await ClusterTopology.WaitHealthyAsync(standalone, port, TimeSpan.FromSeconds(40));
        return standalone;
    }
}
