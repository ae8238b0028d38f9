using System.Collections.Concurrent;
using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Core.TriggerRules;
using Orchestrator.Core.Validation;
using Orchestrator.Execution.LocalRuns;
using Orchestrator.Execution.TaskTypes;

namespace Orchestrator.Execution.Tests.LocalRuns;

public class LocalRunExecutorTests
{
    [Fact]
    public async Task ParallelBranches_RunAtTheSameTime()
    {
        // Each branch waits for the other to start: only a concurrent run can finish.
        using var barrier = new Barrier(2);
        var registry = TaskTypeRegistry.CreateDefault().Register("meet", new ScriptedExecutor((_, token) =>
            Task.Run(() => barrier.SignalAndWait(TimeSpan.FromSeconds(10), token)
                ? (JsonElement?)JsonSerializer.SerializeToElement("met")
                : throw new TaskFailedException("the other branch never started"), token)));
        var dag = new DagBuilder("parallel");
        var start = dag.Empty("start");
        dag.Task("left", "meet").DependsOn(start);
        dag.Task("right", "meet").DependsOn(start);

        var result = await RunAsync(dag, registry);

        Assert.Equal(DagRunState.Success, result.State);
        Assert.All(result.Tasks, task => Assert.Equal(TaskInstanceState.Success, task.State));
    }

    [Fact]
    public async Task Failure_MarksDownstreamUpstreamFailed_AndRunsTheFailureHandler()
    {
        var dag = new DagBuilder("etl");
        var extract = dag.Shell("extract", "exit 1");
        var load = dag.Shell("load", "echo loaded").DependsOn(extract);
        dag.Shell("notify", "echo 'extract failed'").DependsOn(load).TriggerRule(TriggerRule.OneFailed);
        dag.Empty("cleanup").DependsOn(load).TriggerRule(TriggerRule.AllDone);
        var events = new ConcurrentQueue<RunProgressEvent>();

        var result = await RunAsync(dag, progress: new Progress(events));

        Assert.Equal(DagRunState.Success, result.State); // every leaf (notify, cleanup) succeeded, as in Airflow
        Assert.Equal(
            ["extract=failed", "load=upstream_failed", "notify=success", "cleanup=success"],
            result.Tasks.Select(t => $"{t.TaskId}={t.State.ToName()}").OrderBy(s => s[..2] == "ex" ? 0 : s[..2] == "lo" ? 1 : s[..2] == "no" ? 2 : 3));
        var loadSummary = result.Tasks.Single(t => t.TaskId.Value == "load");
        Assert.Empty(loadSummary.Tries);
        Assert.StartsWith("trigger rule all_success can no longer be met", loadSummary.Reason, StringComparison.Ordinal);
        Assert.Contains(events, e => e.TaskId.Value == "extract" && e.State == TaskInstanceState.Running);
        Assert.Contains(events, e => e.TaskId.Value == "load" && e.State == TaskInstanceState.UpstreamFailed);
    }

    [Fact]
    public async Task Outputs_FlowDownstream_AndConfOverridesParams()
    {
        var dag = new DagBuilder("flow").Param("greeting", "hello").Param("times", 1);
        var produce = dag.Shell("produce", """echo '{"rows": 42, "table": {"name": "orders"}}'""");
        dag.Shell("consume", "echo {{ params.greeting }} x{{ params.times }}: {{ outputs.produce.rows }} rows of {{ outputs.produce.table.name }} '{{ outputs.produce.table }}'")
            .DependsOn(produce);
        using var conf = JsonDocument.Parse("""{"greeting": "bonjour"}""");

        var result = await RunAsync(dag, conf: conf.RootElement);

        Assert.Equal("bonjour x1: 42 rows of orders {\"name\":\"orders\"}", result.Tasks.Single(t => t.TaskId.Value == "consume").Output!.Value.GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task EveryDownstreamTask_SeesItsUpstreamOutput_EvenWhenItStartsInsideTheCallThatFoundItReady(bool inline)
    {
        // In-process tasks that answer synchronously: with inline launching, a downstream task renders its templates
        // before the upstream task's completion call has returned.
        var registry = TaskTypeRegistry.CreateDefault().Register("say", new ScriptedExecutor((execution, _) =>
            Task.FromResult<JsonElement?>(execution.Args.Json.GetProperty("text").Clone())));
        var dag = new DagBuilder("flow");
        var root = dag.Task("t0", "say", new { text = "root" });
        for (var i = 0; i < 20; i++)
        {
            dag.Task($"fan{i}", "say", new { text = "{{ outputs.t0 }}-" + i }).DependsOn(root);
        }

        var previous = root;
        for (var i = 1; i <= 30; i++)
        {
            previous = dag.Task($"c{i}", "say", new { text = i == 1 ? "{{ outputs.t0 }}" : $"{{{{ outputs.c{i - 1} }}}}x" }).DependsOn(previous);
        }

        var result = await RunAsync(dag, registry, launchInline: inline);

        Assert.Equal(DagRunState.Success, result.State);
        Assert.Equal("root-7", result.Tasks.Single(t => t.TaskId.Value == "fan7").Output!.Value.GetString());
        Assert.Equal("root" + new string('x', 29), result.Tasks.Single(t => t.TaskId.Value == "c30").Output!.Value.GetString());
    }

    [Fact]
    public async Task RetriedTask_ReportsEachTry()
    {
        var dag = new DagBuilder("retry");
        dag.Shell("flaky", "test $ORCHESTRATOR_TRY_NUMBER -ge 3 && echo ok").Retries(2, "10ms");

        var result = await RunAsync(dag);

        var flaky = Assert.Single(result.Tasks);
        Assert.Equal((TaskInstanceState.Success, 3), (flaky.State, flaky.Tries.Count));
        Assert.Equal([1, 2, 3], flaky.Tries.Select(t => t.TryNumber));
    }

    [Fact]
    public async Task ResultTasks_AreInTopologicalOrder_WithRunIdentity()
    {
        var dag = new DagBuilder("order");
        dag.Empty("c").DependsOn("b");
        dag.Empty("b").DependsOn("a");
        dag.Empty("a");

        var result = await RunAsync(dag);

        Assert.Equal(["a", "b", "c"], result.Tasks.Select(t => t.TaskId.Value));
        Assert.StartsWith("test__", result.RunId.Value, StringComparison.Ordinal);
        Assert.Equal("order", result.DagId.Value);
    }

    private static async Task<RunResult> RunAsync(
        DagBuilder builder, TaskTypeRegistry? registry = null, JsonElement? conf = null, IProgress<RunProgressEvent>? progress = null, bool launchInline = false)
    {
        registry ??= TaskTypeRegistry.CreateDefault();
        var validated = builder.TryBuild(new DagValidationOptions { KnownTaskTypes = registry.KnownTypes });
        Assert.Empty(validated.Errors);
        var executor = new LocalRunExecutor(registry, TimeProvider.System) { LaunchInline = launchInline };
        var run = executor.NewRun(validated.Dag!, Path.GetTempPath(), conf);
        return await executor.RunAsync(validated.Dag!, validated.Graph!, run, progress, CancellationToken.None);
    }

    /// <summary>Collects events synchronously (Progress&lt;T&gt; would post them later).</summary>
    private sealed class Progress(ConcurrentQueue<RunProgressEvent> events) : IProgress<RunProgressEvent>
    {
        public void Report(RunProgressEvent value) => events.Enqueue(value);
    }
}
