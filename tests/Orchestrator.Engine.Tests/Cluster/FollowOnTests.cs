using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Core.TriggerRules;
using Orchestrator.Engine.Cluster;
using Orchestrator.Execution.TaskTypes;

namespace Orchestrator.Engine.Tests.Cluster;

/// <summary>A worker starting the next ready task itself right after a success (the chain's fast path): outputs flow
/// through tries the scheduler has not recorded yet, the scheduler adopts each such try instead of queueing its task,
/// and a task that is not surely ready (a join still waiting for a report, another trigger rule, a pool, another
/// queue) is left to the scheduler.</summary>
public sealed class FollowOnTests : IAsyncLifetime
{
    private ClusterFixture _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task AChain_RunsOnOneWorkerWithoutTheScheduler_AndItsOutputsFlowThroughUnrecordedTries()
    {
        var counter = new Counter();
        _cluster.Registry.Register("test.count", counter);
        var dag = new DagBuilder("chain");
        var previous = dag.Task("t0", "test.count");
        for (var i = 1; i < 6; i++)
        {
            previous = dag.Task($"t{i}", "test.count").DependsOn(previous);
        }

        var loaded = _cluster.Register(dag);
        var scheduler = _cluster.NewScheduler("s1");
        using var worker = _cluster.NewWorker("w1", followQueues: new HashSet<string> { "default" });
        await using var claimer = new QueuedTryClaimer(_cluster.Store, worker, ["default"], _cluster.Options, _cluster.Time, NullLogger.Instance);
        var runId = await _cluster.TriggerAsync(scheduler, loaded);
        Assert.Equal("t0", _cluster.NextDispatched().Task.Value);

        await claimer.WakeAsync(); // t0 is claimed; each success starts the next task on this worker
        await WaitForReportsAsync(runId, 6);
        Assert.Empty(_cluster.Dispatched); // nothing was queued for t1..t5
        var tasks = await _cluster.TasksAsync(runId);
        Assert.All(tasks.Values, t => Assert.Equal(TaskInstanceState.Running, t.State)); // reported, not yet recorded
        Assert.Equal("try 1 started on w1 right after t2", tasks["t3"].StateReason);

        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();

        Assert.Equal(DagRunState.Success, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
        Assert.Empty(_cluster.Dispatched); // adopted, never dispatched
        var outputs = await _cluster.Store.Outputs.GetAllAsync(runId, default);
        Assert.Equal(6, JsonDocument.Parse(outputs[new TaskId("t5")]).RootElement.GetProperty("n").GetInt32()); // 1 + the upstream's, through 6 tasks
        var tries = await _cluster.Store.TaskInstances.ListTriesAsync(runId, null, default);
        Assert.Equal(6, tries.Count);
        Assert.All(tries, t => Assert.Equal((1, "w1", "success"), (t.TryNumber, t.WorkerId!, t.Outcome!)));
        Assert.Empty(await _cluster.Store.TryReports.ListAsync(null, 100, default));
        await worker.StopAsync(TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task TasksNotSurelyReady_AreLeftToTheScheduler()
    {
        var counter = new Counter();
        _cluster.Registry.Register("test.count", counter);
        var dag = new DagBuilder("shapes");
        var root = dag.Task("root", "test.count");
        var left = dag.Task("left", "test.count").DependsOn(root).TriggerRule(TriggerRule.AllDone);
        var right = dag.Task("right", "test.count").DependsOn(root).Pool("limited");
        dag.Task("away", "test.count").DependsOn(root).Queue("training");
        dag.Task("join", "test.count").DependsOn(left, right);

        var loaded = _cluster.Register(dag);
        await _cluster.Store.Pools.SetAsync("limited", 5, null, _cluster.Time.GetUtcNow(), default);
        var scheduler = _cluster.NewScheduler("s1");
        using var worker = _cluster.NewWorker("w1", concurrency: 2, followQueues: new HashSet<string> { "default" });
        var runId = await _cluster.TriggerAsync(scheduler, loaded);
        await worker.ClaimAndStartAsync([_cluster.NextDispatched()], default);
        await WaitForReportsAsync(runId, 1);

        var report = Assert.Single(await _cluster.Store.TryReports.ListAsync([runId], 10, default));
        Assert.Null(report.FollowedTask); // all_done, a pool, another queue: none of them is the worker's to start
        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();
        Assert.Equal(["away", "left"], _cluster.Dispatched.Select(d => d.Task.Value).Order()); // "right" waits for its pool
        await worker.StopAsync(TimeSpan.FromMinutes(1));
    }

    private async Task WaitForReportsAsync(RunId runId, int count)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a hang guard, not a timing
        while ((await _cluster.Store.TryReports.ListAsync([runId], 100, default)).Count < count)
        {
            await Task.Delay(10, bound.Token);
        }
    }

    /// <summary>Outputs {"n": 1 + the sum of its upstream tasks' n}.</summary>
    private sealed class Counter : ITaskExecutor
    {
        public Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            var n = 1 + context.Task.DependsOn.Sum(u => context.Outputs[u].GetProperty("n").GetInt32());
            return Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(new { n }));
        }
    }
}
