using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Core.TriggerRules;
using Orchestrator.Engine.Hosting;
using Orchestrator.Execution.Hosting;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Storage;

namespace Orchestrator.Engine.Tests;

/// <summary>Through the engine: task classes and task types get their services from DI, and a task may skip itself.</summary>
public class TaskServicesAndSkipTests
{
    [Fact]
    public async Task TaskClass_WithTimeProviderAndACustomService_RunsThroughTheEngine()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2031, 2, 3, 4, 5, 6, TimeSpan.Zero));
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(clock)
            .AddSingleton<ICounter>(new Counter(41))
            .AddOrchestratorExecution()
            .BuildServiceProvider();
        await using var engine = await EngineFixture.StartAsync(registry: services.GetRequiredService<TaskTypeRegistry>());
        var dag = new DagBuilder("served");
        dag.Task<CountingTask>("count");

        var runId = await engine.TriggerAsync(engine.Register(dag));

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(runId));
        var outputs = await engine.Store.Outputs.GetAllAsync(runId, default);
        Assert.Equal("""{"next":42,"at":"2031-02-03T04:05:06+00:00"}""", outputs[new TaskId("count")]);
    }

    [Fact]
    public async Task SkippingTask_EndsSkipped_AllSuccessChildSkipped_NoneFailedChildRuns_AndTheStoreSaysWhy()
    {
        await using var engine = await EngineFixture.StartAsync();
        var dag = new DagBuilder("gated");
        var gate = dag.Task<GateTask>("gate").Retries(2, "10ms");
        dag.Shell("deploy", "echo deployed").DependsOn(gate);
        dag.Shell("report", "echo reported").DependsOn(gate).TriggerRule(TriggerRule.NoneFailed);

        var runId = await engine.TriggerAsync(engine.Register(dag));

        Assert.Equal(DagRunState.Success, await engine.FinishedAsync(runId));
        var tasks = await engine.TasksAsync(runId);
        Assert.Equal((TaskInstanceState.Skipped, 1), (tasks["gate"].State, tasks["gate"].TryNumber)); // no retry
        Assert.Equal(TaskInstanceState.Skipped, tasks["deploy"].State);
        Assert.Equal(TaskInstanceState.Success, tasks["report"].State);
        var attempt = Assert.Single(await engine.Store.TaskInstances.ListTriesAsync(runId, new TaskId("gate"), default));
        Assert.Equal(("skipped", "r2 below 0.7"), (attempt.Outcome, attempt.Error));
        var history = await engine.Store.TaskInstances.HistoryAsync(runId, new TaskId("gate"), default);
        Assert.Equal("skipped by the task: r2 below 0.7", history[^1].Reason);
        var log = await engine.Store.Logs.ReadAsync(runId, new TaskId("gate"), 1, default);
        Assert.Contains(log, line => line.Message == "skipped: r2 below 0.7");
    }

    [Fact]
    public async Task RegisteredTaskType_IsAcceptedByTheFolderLoader_AndRunsInTheEmbeddedEngine()
    {
        var home = Directory.CreateTempSubdirectory("orchestrator-types-").FullName;
        try
        {
            var dags = Directory.CreateDirectory(Path.Combine(home, "dags")).FullName;
            await File.WriteAllTextAsync(Path.Combine(dags, "custom.json"), """
                {"id": "custom", "schedule": null, "tasks": [{"id": "shout", "type": "custom.shout", "args": {"text": "quiet"}}]}
                """);
            var services = new ServiceCollection()
                .AddOrchestratorExecution()
                .AddOrchestratorTaskType<ShoutExecutor>("custom.shout")
                .BuildServiceProvider();
            await using var store = await Storage.Sql.SqlMetadataStore.OpenAsync(
                new Storage.Sqlite.SqliteDatabase(Path.Combine(home, "orchestrator.db")), TimeProvider.System, default);
            await using (var engine = await EmbeddedEngine.StartAsync(
                new EngineOptions { DagsFolder = dags, Workers = 1, RunPickupPeriod = TimeSpan.FromMilliseconds(100) },
                store, services.GetRequiredService<TaskTypeRegistry>(), TimeProvider.System, NullLogger.Instance, default))
            {
                Assert.Empty(engine.Catalog.ImportErrors);
                var loaded = engine.Catalog.Current[new DagId("custom")];
                var (runId, _) = await new Scheduling.RunFactory(store, TimeProvider.System).CreateManualAsync(loaded, "{}", default);
                await Eventually.WaitUntilAsync(async () => (await store.Runs.GetAsync(runId, default))!.State == DagRunState.Success);
                Assert.Equal("\"QUIET\"", (await store.Outputs.GetAllAsync(runId, default))[new TaskId("shout")]);
            }

            // The built-in types alone refuse the same file, naming the type.
            var plain = DagLoading.OptionsFor(TaskTypeRegistry.CreateDefault());
            var refused = await Loading.DagLoaders.CreateFolderLoader(plain).LoadAsync(dags, default);
            Assert.Contains(refused.ImportErrors, error => error.Message.Contains("custom.shout", StringComparison.Ordinal));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(home, recursive: true);
        }
    }

    public interface ICounter
    {
        int Current { get; }
    }

    private sealed record Counter(int Current) : ICounter;

    public sealed class CountingTask(TimeProvider time, ICounter counter) : IDagTask
    {
        public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            Task.FromResult<object?>(new { next = counter.Current + 1, at = time.GetUtcNow() });
    }

    public sealed class GateTask : IDagTask
    {
        public Task<object?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            throw new TaskSkippedException("r2 below 0.7");
    }

    private sealed class ShoutExecutor : ITaskExecutor
    {
        public Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken) =>
            Task.FromResult<JsonElement?>(JsonSerializer.SerializeToElement(context.Args.RequireString("text").ToUpperInvariant()));
    }
}
