using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Workers;
using Orchestrator.Execution.Logs;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Engine.Tests;

/// <summary>A running try's lines are in the store before it ends.</summary>
public sealed class LiveLogTests
{
    [Fact]
    public async Task StoreTryObserver_WritesARunningTrysLines_WhenTheIntervalPasses()
    {
        var folder = Directory.CreateTempSubdirectory("orchestrator-livelog-").FullName;
        try
        {
            await using var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(folder, "o.db")), TimeProvider.System, default);
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var (run, task) = (new RunId("r"), new TaskId("t"));
            await store.Runs.CreateAsync(new DagRunRecord(run, new DagId("d"), "v", time.GetUtcNow(), RunType.Manual, DagRunState.Queued, "{}", time.GetUtcNow()),
                [new TaskInstanceRecord(run, task, TaskInstanceState.None, 0, 1, "default", time.GetUtcNow())], default);
            await store.TaskInstances.TryTransitionAsync(new TaskTransition(run, task, TaskInstanceState.None, TaskInstanceState.Scheduled, null, time.GetUtcNow()), default);
            await store.TaskInstances.TryTransitionAsync(new TaskTransition(run, task, TaskInstanceState.Scheduled, TaskInstanceState.Queued, null, time.GetUtcNow()), default);
            var observer = new StoreTryObserver(store, run, "w", time);

            observer.OnTryStarted(task, 1, time.GetUtcNow());
            observer.OnLogLine(task, 1, new TaskLogLine(time.GetUtcNow(), "stdout", "working"));
            observer.OnLogLine(task, 1, new TaskLogLine(time.GetUtcNow(), "stdout", "still working"));
            time.Advance(TimeSpan.FromSeconds(1));
            await observer.DrainAsync();

            Assert.Equal(["working", "still working"], (await store.Logs.ReadAsync(run, task, 1, default)).Select(l => l.Message));
            Assert.Equal(TaskInstanceState.Running, (await store.TaskInstances.ListAsync(run, default)).Single().State);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Engine_ShowsARunningShellTasksLines_BeforeItEnds()
    {
        await using var engine = await EngineFixture.StartAsync();
        var gate = Path.Combine(Path.GetTempPath(), $"orchestrator-gate-{Guid.NewGuid():N}");
        var builder = new DagBuilder("live");
        builder.Shell("t", $"echo first; while [ ! -e {gate} ]; do sleep 0.05; done; echo last");
        var dag = engine.Register(builder);
        var run = await engine.TriggerAsync(dag);

        try
        {
            var deadline = TimeProvider.System.GetUtcNow().AddSeconds(20);
            while (!(await engine.Store.Logs.ReadAsync(run, new TaskId("t"), 1, default)).Any(l => l.Message == "first"))
            {
                Assert.True(TimeProvider.System.GetUtcNow() < deadline, "the running try's first line never reached the store");
                await Task.Delay(50);
            }

            Assert.Equal(TaskInstanceState.Running, (await engine.TasksAsync(run))["t"].State);
        }
        finally
        {
            await File.WriteAllTextAsync(gate, "");
        }

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(run));
        Assert.Equal(["first", "last"], (await engine.Store.Logs.ReadAsync(run, new TaskId("t"), 1, default)).Select(l => l.Message));
        File.Delete(gate);
    }
}
