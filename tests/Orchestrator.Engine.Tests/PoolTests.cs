using System.Text.Json.Nodes;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Hosting;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Tests;

/// <summary>Pools in the embedded engine (issue 12, item 5): a pool's slots bound the tasks queued or running in it
/// across runs, waiting tasks go highest effective priority first, and waiting survives a restart.</summary>
public sealed class PoolTests : EngineHomeTest
{
    private string Marks => Path.Combine(Dags, "..", "marks");

    [Fact]
    public async Task APoolOfTwoSlots_RunsAtMostTwoOfItsTasksAtOnce_AcrossRuns()
    {
        Directory.CreateDirectory(Marks);
        await Store.Pools.SetAsync("training", 2, "two at once", DateTimeOffset.UtcNow, default);
        // Each task marks itself running, waits for the test's go, and outputs how many were running when it started.
        WriteDag("pooled", [.. Enumerable.Range(1, 4).Select(i => ShellTask($"t{i}", HoldUntilGo($"t{i}"), pool: "training"))]);
        await using var engine = await StartEngineAsync(workers: 6);
        var runs = new[] { await TriggerAsync(engine, "pooled"), await TriggerAsync(engine, "pooled") };

        await Eventually.WaitUntilAsync(async () => (await AllTasksAsync(runs)).Count(t => t.State == TaskInstanceState.Running) == 2);
        // Six workers are free, yet the other six tasks wait for slots, in scheduled with the reason.
        var waiting = (await AllTasksAsync(runs)).Where(t => t.State != TaskInstanceState.Running).ToList();
        Assert.Equal(6, waiting.Count);
        Assert.All(waiting, t => Assert.Equal(TaskInstanceState.Scheduled, t.State));
        Assert.All(waiting, t => Assert.Contains("waiting for a slot in pool training", t.StateReason, StringComparison.Ordinal));
        Assert.Equal((2, 0, 6), await UsageAsync("training"));

        File.WriteAllText(Path.Combine(Marks, "go"), "");
        await Eventually.WaitUntilAsync(async () => (await Task.WhenAll(runs.Select(r => Store.Runs.GetAsync(r, default)))).All(r => r!.State.IsFinished()), TimeSpan.FromSeconds(60));

        var seen = new List<int>();
        foreach (var run in runs)
        {
            Assert.Equal(DagRunState.Success, (await Store.Runs.GetAsync(run, default))!.State);
            seen.AddRange((await Store.Outputs.GetAllAsync(run, default)).Values.Select(int.Parse));
        }

        Assert.Equal(8, seen.Count);
        Assert.True(seen.Max() <= 2, $"running at once: {string.Join(",", seen)}");
        Assert.Equal((0, 0, 0), await UsageAsync("training"));
    }

    [Fact]
    public async Task TasksWaitingForOneSlot_RunHighestPriorityFirst()
    {
        Directory.CreateDirectory(Marks);
        await Store.Pools.SetAsync("one", 1, null, DateTimeOffset.UtcNow, default);
        var order = Path.Combine(Marks, "order");
        string Append(string id) => $"echo {id} >> '{order}'";
        WriteDag("ranked",
        [
            ShellTask("holder", $"{Append("holder")}; {HoldUntilGo("holder")}", pool: "one", priority: 100),
            ShellTask("low", Append("low"), pool: "one", priority: 1),
            ShellTask("high", Append("high"), pool: "one", priority: 10),
            ShellTask("mid", Append("mid"), pool: "one", priority: 5),
        ]);
        await using var engine = await StartEngineAsync(workers: 4);
        var run = await TriggerAsync(engine, "ranked");
        await Eventually.WaitUntilAsync(async () => (await Store.TaskInstances.ListAsync(run, default)).Single(t => t.TaskId.Value == "holder").State == TaskInstanceState.Running);

        File.WriteAllText(Path.Combine(Marks, "go"), "");
        await Eventually.WaitUntilAsync(async () => (await Store.Runs.GetAsync(run, default))!.State.IsFinished(), TimeSpan.FromSeconds(60));
        Assert.Equal(["holder", "high", "mid", "low"], File.ReadAllLines(order));
    }

    [Fact]
    public async Task WaitingTasks_SurviveARestart_AndAFullPool_AdmitsNothingUntilResized()
    {
        Directory.CreateDirectory(Marks);
        await Store.Pools.SetAsync("gpu", 0, null, DateTimeOffset.UtcNow, default);
        WriteDag("gated", [ShellTask("a", "echo a", pool: "gpu"), ShellTask("b", "echo b", pool: "gpu", dependsOn: "a")]);
        RunId run;
        await using (var first = await StartEngineAsync())
        {
            run = await TriggerAsync(first, "gated");
            await Eventually.WaitUntilAsync(async () => (await Store.TaskInstances.ListAsync(run, default)).Single(t => t.TaskId.Value == "a").State == TaskInstanceState.Scheduled);
            await first.Coordinator.DrainAsync();
        }

        // A new engine resumes the run; the task still waits (0 slots) and is then admitted once the pool grows.
        await using var second = await StartEngineAsync();
        Assert.Equal((0, 0, 1), await UsageAsync("gpu"));
        await Store.Pools.SetAsync("gpu", 1, null, DateTimeOffset.UtcNow, default);
        await Eventually.WaitUntilAsync(async () => (await Store.Runs.GetAsync(run, default))!.State.IsFinished(), TimeSpan.FromSeconds(30));
        Assert.Equal(DagRunState.Success, (await Store.Runs.GetAsync(run, default))!.State);
        Assert.All(await Store.TaskInstances.ListTriesAsync(run, null, default), t => Assert.Equal(1, t.TryNumber));
    }

    [Fact]
    public async Task ATaskOfAPoolNobodyCreated_Waits_AndRunsOnceThePoolExists()
    {
        WriteDag("orphan", [ShellTask("t", "echo ok", pool: "later")]);
        await using var engine = await StartEngineAsync();
        var run = await TriggerAsync(engine, "orphan");
        await Eventually.WaitUntilAsync(async () => (await Store.TaskInstances.ListAsync(run, default)).Single().State == TaskInstanceState.Scheduled);

        await Store.Pools.SetAsync("later", 1, null, DateTimeOffset.UtcNow, default);
        await Eventually.WaitUntilAsync(async () => (await Store.Runs.GetAsync(run, default))!.State.IsFinished(), TimeSpan.FromSeconds(30));
        Assert.Equal(DagRunState.Success, (await Store.Runs.GetAsync(run, default))!.State);
    }

    [Fact]
    public async Task AFailedTryWithRetries_GivesItsSlotBack_AndItsRetryWaitsForTheSlotAgain()
    {
        Directory.CreateDirectory(Marks);
        await Store.Pools.SetAsync("solo", 1, null, DateTimeOffset.UtcNow, default);
        var tried = Path.Combine(Marks, "tried");
        // Fails its first try; its retry must wait in scheduled behind the other task, which took the freed slot.
        var flaky = ShellTask("flaky", $"if [ ! -f '{tried}' ]; then touch '{tried}'; exit 1; fi; echo retried", pool: "solo", priority: 10);
        flaky["retries"] = 1;
        flaky["retryDelay"] = "1s"; // the other task takes the freed slot first
        WriteDag("retrying", [flaky, ShellTask("other", HoldUntilGo("other"), pool: "solo", priority: 1)]);
        await using var engine = await StartEngineAsync();
        var run = await TriggerAsync(engine, "retrying");

        await Eventually.WaitUntilAsync(async () => (await Store.TaskInstances.ListAsync(run, default)).Single(t => t.TaskId.Value == "other").State == TaskInstanceState.Running);
        await Eventually.WaitUntilAsync(async () => (await Store.TaskInstances.ListAsync(run, default)).Single(t => t.TaskId.Value == "flaky").State == TaskInstanceState.Scheduled);
        Assert.Equal((1, 0, 1), await UsageAsync("solo"));

        File.WriteAllText(Path.Combine(Marks, "go"), "");
        await Eventually.WaitUntilAsync(async () => (await Store.Runs.GetAsync(run, default))!.State.IsFinished(), TimeSpan.FromSeconds(30));
        Assert.Equal(DagRunState.Success, (await Store.Runs.GetAsync(run, default))!.State);
        Assert.Equal(2, (await Store.TaskInstances.ListTriesAsync(run, new TaskId("flaky"), default)).Count);
    }

    /// <summary>Marks the task running, waits (bounded) for the go file, and outputs how many tasks were marked running
    /// when it started (itself included).</summary>
    private string HoldUntilGo(string id) =>
        $"touch '{Marks}/running-{id}'; n=$(ls '{Marks}' | grep -c '^running-'); " +
        $"for i in $(seq 1 600); do [ -f '{Marks}/go' ] && break; sleep 0.05; done; sleep 0.2; rm '{Marks}/running-{id}'; echo $n";

    private static JsonObject ShellTask(string id, string command, string? pool = null, int? priority = null, string? dependsOn = null)
    {
        var task = new JsonObject { ["id"] = id, ["type"] = "shell", ["args"] = new JsonObject { ["command"] = command } };
        if (pool is not null)
        {
            task["pool"] = pool;
        }

        if (priority is { } weight)
        {
            task["priorityWeight"] = weight;
            task["weightRule"] = "absolute";
        }

        if (dependsOn is not null)
        {
            task["dependsOn"] = new JsonArray(dependsOn);
        }

        return task;
    }

    private void WriteDag(string id, JsonObject[] tasks) =>
        File.WriteAllText(Path.Combine(Dags, $"{id}.json"), new JsonObject { ["id"] = id, ["tasks"] = new JsonArray([.. tasks]) }.ToJsonString());

    private async Task<List<TaskInstanceRecord>> AllTasksAsync(IEnumerable<RunId> runs) =>
        [.. (await Task.WhenAll(runs.Select(r => Store.TaskInstances.ListAsync(r, default)))).SelectMany(t => t)];

    private async Task<(int Running, int Queued, int Waiting)> UsageAsync(string pool) =>
        await Store.Pools.GetAsync(pool, default) is { } record ? (record.Running, record.Queued, record.Waiting) : throw new InvalidOperationException($"no pool {pool}");

    private async Task<RunId> TriggerAsync(EmbeddedEngine engine, string dagId)
    {
        var dag = engine.Catalog.Current[new DagId(dagId)];
        var runId = new RunId($"manual__{Guid.NewGuid():N}");
        Assert.True(await new RunFactory(Store, TimeProvider.System).CreateAsync(dag, runId, TimeProvider.System.GetUtcNow(), RunType.Manual, "{}", default));
        return runId;
    }
}
