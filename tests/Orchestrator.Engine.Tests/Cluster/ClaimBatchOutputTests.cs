using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Cluster;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Storage;

namespace Orchestrator.Engine.Tests.Cluster;

/// <summary>Tries claimed together read their run's upstream outputs once for the claim, not once each, and still see
/// every output their task needs — also an output recorded after an earlier claim of the same run read them.</summary>
public sealed class ClaimBatchOutputTests : IAsyncLifetime
{
    private const int Children = 12;

    private ClusterFixture _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task AFanOutsChildren_ClaimedTogether_ShareOneRead_AndALaterClaimReadsAgain()
    {
        _cluster.Registry.Register("test.emit", new Emit());
        _cluster.Registry.Register("test.echo", new Echo());
        var dag = new DagBuilder("shared");
        dag.Task("root", "test.emit");
        foreach (var i in Enumerable.Range(0, Children))
        {
            dag.Task($"w{i:D2}", "test.echo").DependsOn("root");
        }

        dag.Task("tail", "test.echo").DependsOn("w00");
        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        var runId = await _cluster.TriggerAsync(scheduler, loaded);
        var reads = new CountingOutputReads(_cluster.Store.TryReports);
        var store = new Pools.HookedStore(_cluster.Store) { ReportsOverride = reads };
        using var worker = _cluster.NewWorker("w1", concurrency: 4, store: store);
        var options = new ClusterOptions { LeaseTimeout = _cluster.Options.LeaseTimeout, ClaimAhead = 16, ClaimAheadHold = TimeSpan.FromSeconds(30) };
        await using (var claimer = new QueuedTryClaimer(store, worker, ["default"], options, _cluster.Time, NullLogger.Instance))
        {
            await RecordAsync(scheduler, runId, claimer, "root");
            await RecordAsync(scheduler, runId, claimer, [.. Enumerable.Range(0, Children).Select(i => $"w{i:D2}")]);
            await RecordAsync(scheduler, runId, claimer, "tail");
        }

        await worker.StopAsync(TimeSpan.FromMinutes(1));
        await scheduler.Coordinator.DrainAsync();
        Assert.Equal(DagRunState.Success, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
        var outputs = await _cluster.Store.Outputs.GetAllAsync(runId, default);
        foreach (var i in Enumerable.Range(0, Children))
        {
            Assert.Equal(7, JsonNode.Parse(outputs[new TaskId($"w{i:D2}")])!["root"]!["v"]!.GetValue<int>()); // each child saw the root's output
        }

        Assert.Equal("w00", JsonNode.Parse(outputs[new TaskId("tail")])!["w00"]!["from"]!.GetValue<string>()); // claimed later: read again
        Assert.InRange(reads.Count, 2, Children - 1); // one per child would be 12, plus the tail's
    }

    /// <summary>Runs the worker until <paramref name="tasks"/> have reported, then has the scheduler record them.</summary>
    private async Task RecordAsync(Scheduler scheduler, RunId runId, QueuedTryClaimer claimer, params string[] tasks)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a hang guard, not a timing
        while ((await _cluster.Store.TryReports.ListAsync([runId], 1_000, default)).Count(r => tasks.Contains(r.TaskId.Value)) < tasks.Length)
        {
            await claimer.WakeAsync();
            await Task.Delay(5, bound.Token);
        }

        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();
    }

    private sealed class Emit : ITaskExecutor
    {
        public Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(new { v = 7 }));
    }

    /// <summary>Outputs every upstream output it was given, by task id, and its own id.</summary>
    private sealed class Echo : ITaskExecutor
    {
        public Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            var seen = new JsonObject { ["from"] = context.TaskId.Value };
            foreach (var (id, output) in context.Outputs)
            {
                seen[id.Value] = JsonNode.Parse(output.GetRawText());
            }

            return Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(seen));
        }
    }

    private sealed class CountingOutputReads(ITryReportStore inner) : DelegatingTryReports(inner)
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public override Task<IReadOnlyDictionary<TaskId, string>> OutputsAsync(RunId runId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return Inner.OutputsAsync(runId, cancellationToken);
        }
    }
}
