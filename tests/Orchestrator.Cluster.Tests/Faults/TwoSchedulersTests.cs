using System.Globalization;
using Orchestrator.Cluster.Tests.Infrastructure.Cluster;
using Orchestrator.Core.States;

namespace Orchestrator.Cluster.Tests.Faults;

/// <summary>Issue 12, fault 2: two schedulers and a DAG scheduled every second for 20 seconds: exactly one run per
/// logical date (and no try dispatched twice).</summary>
public sealed class TwoSchedulersTests(ITestOutputHelper output) : ClusterFaultTest(output)
{
    /// <summary>Every second: cron with a leading seconds field (Quartz and Cronos read six fields that way).</summary>
    private const string EverySecond = "* * * * * *";

    private const int Runs = 20;

    /// <summary>Several pickup passes (one a second by default).</summary>
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(3);

    [Fact(Timeout = 120_000)]
    public async Task TwoSchedulers_ADagDueEverySecond_ExactlyOneRunPerLogicalDate()
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        Cluster.WriteDag("every_second.json", JsonDags.Dag("every_second",
            [JsonDags.Shell("tick", $"echo \"$ORCHESTRATOR_RUN_ID\" >> '{Marks}/ticks'")],
            // Every run may start at once: a paused DAG's queued scheduled runs wait (as in Airflow), and the test
            // pauses it below, so none may still be queued then behind the default max of 16 active runs.
            schedule: EverySecond, start: start, catchup: false, maxActiveRuns: 1000));
        await Cluster.StartAsync(schedulers: 2, workers: 1, concurrency: 8);
        var watcher = await Cluster.WatcherAsync();

        // 20 seconds of schedule: wait (bounded) until 20 runs exist, then pause so that the count stops moving.
        await RunWatcher.WaitUntilAsync(
            async () => (await watcher.ListRunsAsync("every_second")).Count >= Runs ? "enough" : null,
            TimeSpan.FromSeconds(60),
            async () => $"fewer than {Runs} runs within 60 s: {(await watcher.ListRunsAsync("every_second")).Count}");
        var pause = await Cluster.RunAsync("dags", "pause", "every_second", "--dags", Cluster.Dags);
        Assert.True(pause.ExitCode == 0, pause.Tail());
        var runs = await SettledRunsAsync(watcher);

        Assert.All(Cluster.Schedulers, AssertAlive);
        Assert.True(runs.Count >= Runs, $"{runs.Count} runs");
        // One run per logical date, also when two schedulers computed the same tick slightly differently.
        var perSecond = runs.GroupBy(r => r.LogicalDate.ToUnixTimeSeconds()).Where(g => g.Count() > 1).ToList();
        Assert.True(perSecond.Count == 0, "duplicate runs: " + string.Join("; ", perSecond.Select(g => string.Join(", ", g.Select(r => $"{r.RunId.Value}@{r.LogicalDate:O}")))));
        Assert.All(runs, r => Assert.Equal(0, r.LogicalDate.Millisecond));

        // A run created in the instant before the pause may stay queued (a paused DAG's scheduled runs wait, as in
        // Airflow); it must then have no try. Every other run succeeded with exactly one try.
        var started = runs.Where(r => r.State != DagRunState.Queued).ToList();
        Assert.True(started.Count >= Runs - 2, $"only {started.Count} of {runs.Count} runs started");
        Assert.All(started, r => Assert.Equal(DagRunState.Success, r.State));
        foreach (var run in runs)
        {
            Assert.Equal(run.State == DagRunState.Queued ? 0 : 1, (await watcher.TriesAsync(run.RunId.Value, "tick")).Count);
        }

        var ticks = await File.ReadAllLinesAsync(Path.Combine(Marks, "ticks"));
        Assert.Equal(ticks.Length, ticks.Distinct().Count());
        Assert.Equal(started.Count, ticks.Length);
    }

    /// <summary>The runs once nothing moves any more: none running, and the same states on two reads a few pickup
    /// passes apart (a pickup pass that read "not paused" just before the pause may still start a queued run).</summary>
    private static async Task<IReadOnlyList<Storage.Records.DagRunRecord>> SettledRunsAsync(RunWatcher watcher)
    {
        string? last = null;
        IReadOnlyList<Storage.Records.DagRunRecord> current = [];
        return await RunWatcher.WaitUntilAsync<IReadOnlyList<Storage.Records.DagRunRecord>>(
            async () =>
            {
                current = await watcher.ListRunsAsync("every_second");
                var states = string.Join(",", current.OrderBy(r => r.LogicalDate).Select(r => $"{r.RunId.Value}={r.State}"));
                if (current.Any(r => r.State == DagRunState.Running) || states != last)
                {
                    last = states;
                    await Task.Delay(SettleTime);
                    return null;
                }

                return current;
            },
            RunTimeout,
            () => Task.FromResult("the runs did not settle: " + string.Join(", ", current.Where(r => r.State is not (DagRunState.Success or DagRunState.Failed)).Select(r => $"{r.RunId.Value}={r.State}"))));
    }
}
