using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Dispatch;
using Orchestrator.Engine.Runs;
using Orchestrator.Engine.Telemetry;
using Orchestrator.Engine.Workers;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Loading;
using Orchestrator.Storage.Records;

namespace Orchestrator.Web.Tests.Metrics;

public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Scrape_IsPrometheusText_WithRunsAndTasksByStateFromTheStore()
    {
        await using var app = await ObservedApp.StartAsync();
        await app.CreateRunAsync("r1", DagRunState.Running, ("a", TaskInstanceState.Scheduled), ("b", TaskInstanceState.None));
        await app.CreateRunAsync("r2", DagRunState.Queued, ("a", TaskInstanceState.Skipped));
        await app.CreateRunAsync("r3", DagRunState.Queued, ("a", TaskInstanceState.None));

        var response = await app.Client.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("orchestrator_dag_runs{state=\"running\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_dag_runs{state=\"queued\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_dag_runs{state=\"success\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_task_instances{state=\"none\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_task_instances{state=\"scheduled\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_task_instances{state=\"skipped\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_store_up 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EachPool_IsReportedBySlotState_AndADeletedPoolsSeriesGoAway()
    {
        await using var app = await ObservedApp.StartAsync();
        await app.Store.Pools.SetAsync("training", 3, null, app.Time.GetUtcNow(), default);
        await app.Store.Pools.SetAsync("gpu", 1, null, app.Time.GetUtcNow(), default);

        var text = await app.ScrapeAsync();
        Assert.Contains("orchestrator_pool_slots{pool=\"training\",state=\"total\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_pool_slots{pool=\"training\",state=\"open\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_pool_slots{pool=\"gpu\",state=\"running\"} 0\n", text, StringComparison.Ordinal);

        Assert.Equal(Storage.Records.PoolDeleteOutcome.Deleted, await app.Store.Pools.DeleteAsync("gpu", default));
        await app.Store.Pools.SetAsync("training", 5, null, app.Time.GetUtcNow(), default);
        app.Time.Advance(TimeSpan.FromSeconds(2));
        text = await app.ScrapeAsync();
        Assert.Contains("orchestrator_pool_slots{pool=\"training\",state=\"total\"} 5\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("pool=\"gpu\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoreCounts_AreCachedForTwoSeconds()
    {
        await using var app = await ObservedApp.StartAsync();
        await app.CreateRunAsync("r1", DagRunState.Running);
        Assert.Contains("orchestrator_dag_runs{state=\"running\"} 1\n", await app.ScrapeAsync(), StringComparison.Ordinal);

        await app.CreateRunAsync("r2", DagRunState.Running);
        Assert.Contains("orchestrator_dag_runs{state=\"running\"} 1\n", await app.ScrapeAsync(), StringComparison.Ordinal);
        app.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Contains("orchestrator_dag_runs{state=\"running\"} 2\n", await app.ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFinishedTry_ShowsInTheDurationHistogram_AndOnlyInItsOwnHostsScrape()
    {
        await using var other = await ObservedApp.StartAsync();
        other.App.Services.GetRequiredService<EngineMetrics>();
        await using var app = await ObservedApp.StartAsync();
        var metrics = app.App.Services.GetRequiredService<EngineMetrics>();

        await RunOneTaskAsync(app, metrics, TimeSpan.FromSeconds(90));

        var text = await app.ScrapeAsync();
        Assert.Contains("orchestrator_task_try_duration_seconds_bucket{outcome=\"success\",le=\"60\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_task_try_duration_seconds_bucket{outcome=\"success\",le=\"120\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_task_try_duration_seconds_sum{outcome=\"success\"} 90\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_task_try_duration_seconds_count{outcome=\"success\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_task_tries_finished_total{outcome=\"success\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_runs_started_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_runs_finished_total{state=\"success\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("orchestrator_task_queue_depth 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("orchestrator_task_try_duration_seconds_count", await other.ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpRequests_AreLabelledByRouteTemplate_NotByPath()
    {
        await using var app = await ObservedApp.StartAsync();
        foreach (var id in new[] { "1", "2", "3" })
        {
            Assert.Equal(id, await app.Client.GetStringAsync(new Uri($"/things/{id}", UriKind.Relative)));
        }

        // The request's duration is recorded as its context is disposed, which may follow the response.
        var text = "";
        for (var attempt = 0; attempt < 50 && !text.Contains("http_route=\"/things/{id}\"", StringComparison.Ordinal); attempt++)
        {
            text = await app.ScrapeAsync();
        }

        Assert.Contains("orchestrator_http_request_duration_seconds_count{http_request_method=\"GET\",http_response_status_code=\"200\",http_route=\"/things/{id}\"} 3\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/things/1", text, StringComparison.Ordinal);
    }

    /// <summary>One run of one task through the engine's real coordinator and worker (the queue held by the test),
    /// the task taking <paramref name="takes"/> on a fake clock.</summary>
    private static async Task RunOneTaskAsync(ObservedApp app, EngineMetrics metrics, TimeSpan takes)
    {
        var time = new FakeTimeProvider(ObservedApp.T0);
        var versions = new DagVersions();
        var coordinator = new RunCoordinator(app.Store, versions, time) { Metrics = metrics };
        var registry = TaskTypeRegistry.CreateDefault().Register("test.takes", new Takes(time, takes));
        using var worker = new TaskWorker(coordinator, app.Store, registry, time, "web-test");
        var queue = new HeldQueue();
        coordinator.Attach(queue);
        var builder = new DagBuilder("observed");
        builder.Task("work", "test.takes");
        var built = builder.TryBuild();
        Assert.Empty(built.Errors);
        var dag = new LoadedDag(built.Dag!, built.Graph!, Path.Combine(app.Folder, "observed.json"), "v1");
        versions.Add(dag);
        var runId = new RunId("manual__observed");
        Assert.True(await app.Store.Runs.CreateAsync(
            new DagRunRecord(runId, dag.Id, dag.Version, ObservedApp.T0, RunType.Manual, DagRunState.Queued, "{}", ObservedApp.T0),
            [.. dag.Definition.Tasks.Select(t => new TaskInstanceRecord(runId, t.Id, TaskInstanceState.None, 0, 1, t.Queue, ObservedApp.T0))], default));
        Assert.True(await coordinator.StartAsync(runId, default));

        var (run, task) = Assert.Single(queue.Items);
        await worker.RunAsync(run, task, CancellationToken.None);
        await coordinator.DrainAsync();
        Assert.Equal(DagRunState.Success, (await app.Store.Runs.GetAsync(runId, default))!.State);
    }

    private sealed class HeldQueue : ITaskDispatcher
    {
        public List<(RunId, TaskId)> Items { get; } = [];

        public void Enqueue(RunId runId, TaskId taskId, int tryNumber, string queue) => Items.Add((runId, taskId));
    }

    private sealed class Takes(FakeTimeProvider time, TimeSpan takes) : ITaskExecutor
    {
        public Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
        {
            time.Advance(takes);
            return Task.FromResult<JsonElement?>(null);
        }
    }
}
