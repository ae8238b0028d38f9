using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Runs;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Tests.Cluster;

/// <summary>A plan that readies thousands of tasks commits them a piece at a time, so workers start on the first
/// (small) piece while the next commits; a driver that fails between pieces leaves the rest to the run's next start
/// (its own included), which queues each remaining task once.</summary>
public sealed class ReadyInPiecesTests : IAsyncLifetime
{
    private const int Tasks = 1_200;

    private ClusterFixture _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ClusterFixture.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task ARunsStart_QueuesItsTasksInPieces_AndDispatchesEachPieceBeforeTheNextCommits()
    {
        var loaded = _cluster.Register(Independent("wide"));
        var applied = new List<(int Queued, int DispatchedBefore)>();
        var store = new Pools.HookedStore(_cluster.Store)
        {
            BeforeApply = batch =>
            {
                applied.Add((batch.Transitions?.Count(t => t.To == TaskInstanceState.Queued) ?? 0, _cluster.Dispatched.Count));
                return Task.CompletedTask;
            },
        };

        var runId = await _cluster.TriggerAsync(_cluster.NewScheduler("s1", store), loaded);

        Assert.Equal([(100, 0), (200, 100), (400, 300), (500, 700)], applied); // the first piece small, then growing: workers start at once
        Assert.Equal(Tasks, _cluster.Dispatched.Count);
        Assert.Equal(DagRunState.Running, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);
        Assert.All((await _cluster.TasksAsync(runId)).Values, t => Assert.Equal(TaskInstanceState.Queued, t.State));
    }

    [Fact]
    public async Task AWideFanOut_QueuesItsChildrenInPieces_AfterTheRootsEndIsRecordedInTheFirst()
    {
        var dag = new DagBuilder("fan");
        dag.Task("root", "empty");
        foreach (var i in Enumerable.Range(0, Tasks))
        {
            dag.Task($"t{i:D4}", "empty").DependsOn("root");
        }

        var loaded = _cluster.Register(dag);
        var applied = new List<(int Finished, int Queued)>();
        var store = new Pools.HookedStore(_cluster.Store)
        {
            BeforeApply = batch =>
            {
                applied.Add((batch.MoreFinishedTries.Count, batch.Transitions?.Count(t => t.To == TaskInstanceState.Queued) ?? 0));
                return Task.CompletedTask;
            },
        };
        var scheduler = _cluster.NewScheduler("s1", store);
        var runId = await _cluster.TriggerAsync(scheduler, loaded);
        using var worker = _cluster.NewWorker("w1");
        var (run, task, tryNumber) = _cluster.NextDispatched();
        await worker.RunAsync(run, task, tryNumber, default);
        applied.Clear();

        await scheduler.Driving.TakeReportsAsync(default);
        await scheduler.Coordinator.DrainAsync();

        Assert.Equal([(1, 100), (0, 200), (0, 400), (0, 500)], applied);
        var tasks = await _cluster.TasksAsync(runId);
        Assert.Equal(TaskInstanceState.Success, tasks["root"].State);
        Assert.Equal(Tasks, tasks.Values.Count(t => t.State == TaskInstanceState.Queued));
    }

    [Fact]
    public async Task ADriverFailingBetweenPieces_LeavesTheRestToTheNextStart_WhichQueuesEachTaskOnce()
    {
        var loaded = _cluster.Register(Independent("cut"));
        var commits = 0;
        var failing = new Pools.HookedStore(_cluster.Store)
        {
            BeforeApply = _ => ++commits == 2 ? throw new InvalidOperationException("the scheduler dies here") : Task.CompletedTask,
        };

        var scheduler = _cluster.NewScheduler("s1", failing);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _cluster.TriggerAsync(scheduler, loaded));
        var runId = (await _cluster.Store.Runs.ListAsync(new RunQuery(DagId: loaded.Id, Limit: 1), default)).Single().RunId;
        var tasks = await _cluster.TasksAsync(runId);
        Assert.Equal(100, tasks.Values.Count(t => t.State == TaskInstanceState.Queued)); // the first piece only
        Assert.Equal(Tasks - 100, tasks.Values.Count(t => t.State == TaskInstanceState.None));
        Assert.Equal(DagRunState.Running, (await _cluster.Store.Runs.GetAsync(runId, default))!.State);

        // The same scheduler starts it again: a start that failed is not a run it drives (the store no longer fails).
        Assert.True(await scheduler.Coordinator.StartAsync(runId, default));

        Assert.All((await _cluster.TasksAsync(runId)).Values, t => Assert.Equal((TaskInstanceState.Queued, 0), (t.State, t.TryNumber)));
        foreach (var task in new[] { "t0000", "t0099", "t0100", "t1199" })
        {
            var history = await _cluster.Store.TaskInstances.HistoryAsync(runId, new TaskId(task), default);
            Assert.Equal(["none>scheduled", "scheduled>queued"], history.Select(h => $"{h.From.ToName()}>{h.To.ToName()}"));
        }
    }

    private static DagBuilder Independent(string id)
    {
        var dag = new DagBuilder(id);
        foreach (var i in Enumerable.Range(0, Tasks))
        {
            dag.Task($"t{i:D4}", "empty");
        }

        return dag;
    }
}
