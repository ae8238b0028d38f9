using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Hosting;
using Orchestrator.Engine.Scheduling;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Engine.Tests;

public sealed class EmbeddedEngineTests : EngineHomeTest
{
    [Fact]
    public async Task DagEditedMidRun_KeepsItsOldVersionForThatRun_AndNewRunsUseTheNewOne()
    {
        WriteDag("edit_me", "sleep 1; echo v1");
        await using var engine = await StartEngineAsync();
        var first = await TriggerAsync(engine, "edit_me");
        await Eventually.WaitUntilAsync(async () => (await Store.TaskInstances.ListAsync(first, default)).Single().State == TaskInstanceState.Running);

        WriteDag("edit_me", "echo v2");
        await Eventually.WaitUntilAsync(() => Task.FromResult(engine.Catalog.Current[new DagId("edit_me")].Definition.Tasks[0].Args.GetRawText().Contains("v2", StringComparison.Ordinal)));
        var second = await TriggerAsync(engine, "edit_me");

        await Eventually.WaitUntilAsync(async () => (await Store.Runs.GetAsync(first, default))!.State.IsFinished() && (await Store.Runs.GetAsync(second, default))!.State.IsFinished());
        Assert.Equal("\"v1\"", (await Store.Outputs.GetAllAsync(first, default)).Single().Value);
        Assert.Equal("\"v2\"", (await Store.Outputs.GetAllAsync(second, default)).Single().Value);
        Assert.NotEqual((await Store.Runs.GetAsync(first, default))!.DagVersion, (await Store.Runs.GetAsync(second, default))!.DagVersion);
    }

    [Fact]
    public async Task ADagEditedWhileItsFirstTaskRuns_ItsDownstreamTaskRunsThePinnedVersion()
    {
        WriteTwoTaskDag("pinned", "sleep 1.5; echo a", "echo v1");
        await using var engine = await StartEngineAsync();
        var run = await TriggerAsync(engine, "pinned");
        await Eventually.WaitUntilAsync(async () => (await Store.TaskInstances.ListAsync(run, default)).Single(t => t.TaskId.Value == "a").State == TaskInstanceState.Running);

        WriteTwoTaskDag("pinned", "sleep 1.5; echo a", "echo v2"); // only the task that has not started changes
        await Eventually.WaitUntilAsync(() => Task.FromResult(engine.Catalog.Current[new DagId("pinned")].Definition.Tasks[1].Args.GetRawText().Contains("v2", StringComparison.Ordinal)));
        var later = await TriggerAsync(engine, "pinned");

        await Eventually.WaitUntilAsync(async () => (await Store.Runs.GetAsync(run, default))!.State.IsFinished() && (await Store.Runs.GetAsync(later, default))!.State.IsFinished());
        Assert.Equal("\"v1\"", (await Store.Outputs.GetAllAsync(run, default))[new TaskId("b")]);
        Assert.Equal("\"v2\"", (await Store.Outputs.GetAllAsync(later, default))[new TaskId("b")]);
    }

    [Fact]
    public async Task AfterARestart_ARunResumesOnItsPinnedVersion_RebuiltFromTheStoredSource()
    {
        WriteTwoTaskDag("resumed", "sleep 1; echo a", "echo v1");
        RunId run;
        await using (var first = await StartEngineAsync())
        {
            run = await TriggerAsync(first, "resumed");
            await Eventually.WaitUntilAsync(async () => (await Store.TaskInstances.ListAsync(run, default)).Single(t => t.TaskId.Value == "a").State == TaskInstanceState.Running);
        } // stops within its grace: a finishes, b is left queued for the next engine

        Assert.Equal(DagRunState.Running, (await Store.Runs.GetAsync(run, default))!.State);
        WriteTwoTaskDag("resumed", "sleep 1; echo a", "echo v2"); // the folder now holds only the new version
        await using var second = await StartEngineAsync();

        await Eventually.WaitUntilAsync(async () => (await Store.Runs.GetAsync(run, default))!.State.IsFinished());
        Assert.Equal(DagRunState.Success, (await Store.Runs.GetAsync(run, default))!.State);
        Assert.Equal("\"v1\"", (await Store.Outputs.GetAllAsync(run, default))[new TaskId("b")]);
        Assert.Contains("v2", second.Catalog.Current[new DagId("resumed")].Definition.Tasks[1].Args.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASecondEngineOnTheSameStore_IsRefusedNamingTheFirst_UntilTheFirstStops()
    {
        await using (var first = await StartEngineAsync())
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartEngineAsync());
            Assert.Contains($"another engine drives this store ({Environment.MachineName}:{Environment.ProcessId}:", refused.Message, StringComparison.Ordinal);

            // Nor can a cluster's scheduler join it (it would drive the same runs without the engine knowing).
            var scheduler = await Assert.ThrowsAsync<InvalidOperationException>(() => EmbeddedEngine.StartAsync(
                new EngineOptions { DagsFolder = Dags, Cluster = new Engine.Cluster.ClusterOptions { ConnectionString = "Host=unused" } },
                Store, Execution.TaskTypes.TaskTypeRegistry.CreateDefault(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, default));
            Assert.Contains("a standalone engine drives this store", scheduler.Message, StringComparison.Ordinal);
        }

        await using var second = await StartEngineAsync(); // the first gave the store up when it stopped
        Assert.StartsWith($"{Environment.MachineName}:{Environment.ProcessId}:", (await Store.Leases.GetAsync(EngineLease.Name, default))!.Owner, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEngineOfThisMachineThatNoLongerRuns_IsTakenOverAtOnce()
    {
        // As after kill -9: its lease is still valid for a while, but its process is gone.
        var now = TimeProvider.System.GetUtcNow();
        await Store.Leases.TryAcquireAsync(EngineLease.Name, $"{Environment.MachineName}:{int.MaxValue}:dead00", now, now + TimeSpan.FromMinutes(5), default);

        await using var engine = await StartEngineAsync();

        var owner = (await Store.Leases.GetAsync(EngineLease.Name, default))!.Owner;
        Assert.StartsWith($"{Environment.MachineName}:{Environment.ProcessId}:", owner, StringComparison.Ordinal);
        Assert.True(EngineLease.IsDeadLocalProcess($"{Environment.MachineName}:{int.MaxValue}:dead00"));
        Assert.False(EngineLease.IsDeadLocalProcess(owner));
        Assert.False(EngineLease.IsDeadLocalProcess($"another-host:{int.MaxValue}:dead00")); // another machine's: cannot tell
    }

    [Fact]
    public async Task NewRemovedAndBrokenFiles_AreReflectedWithinSeconds()
    {
        WriteDag("first", "echo 1");
        await using var engine = await StartEngineAsync();
        Assert.Single(engine.Catalog.Current);

        WriteDag("second", "echo 2");
        File.WriteAllText(Path.Combine(Dags, "broken.json"), "{ \"id\": ");
        File.Delete(Path.Combine(Dags, "first.json"));

        await Eventually.WaitUntilAsync(() => Task.FromResult(engine.Catalog.Current.Keys.Select(k => k.Value).SequenceEqual(["second"]) && engine.Catalog.ImportErrors.Count == 1));
        Assert.EndsWith("broken.json", Assert.Single(await Store.Dags.ListImportErrorsAsync(default)).FilePath, StringComparison.Ordinal);
        Assert.False((await Store.Dags.GetAsync(new DagId("first"), default))!.IsActive);
    }

    [Fact]
    public async Task QueuedRuns_StartOldestFirst_NeverMoreThanMaxActiveRuns_AndConfOverridesParams()
    {
        File.WriteAllText(Path.Combine(Dags, "one_at_a_time.json"), """
            {"id": "one_at_a_time", "maxActiveRuns": 1, "params": {"who": "default"},
             "tasks": [{"id": "t", "type": "shell", "args": {"command": "sleep 0.3; echo hello {{ params.who }}"}}]}
            """);
        await using var engine = await StartEngineAsync();
        var dag = engine.Catalog.Current[new DagId("one_at_a_time")];
        var factory = new RunFactory(Store, TimeProvider.System);
        var runs = new List<RunId>();
        for (var i = 0; i < 3; i++)
        {
            var runId = new RunId($"manual__{i}");
            Assert.True(await factory.CreateAsync(dag, runId, TimeProvider.System.GetUtcNow().AddMinutes(i), RunType.Manual, i == 1 ? """{"who": "conf"}""" : "{}", default));
            runs.Add(runId);
        }

        var mostRunning = 0;
        await Eventually.WaitUntilAsync(async () =>
        {
            var all = await Store.Runs.ListAsync(new RunQuery(dag.Id), default);
            mostRunning = Math.Max(mostRunning, all.Count(r => r.State == DagRunState.Running));
            return all.All(r => r.State == DagRunState.Success);
        });

        Assert.Equal(1, mostRunning);
        var records = await Task.WhenAll(runs.Select(r => Store.Runs.GetAsync(r, default)));
        Assert.True(records[0]!.StartedAt <= records[1]!.StartedAt && records[1]!.StartedAt <= records[2]!.StartedAt, "oldest logical date first");
        Assert.True(records[0]!.EndedAt <= records[1]!.StartedAt && records[1]!.EndedAt <= records[2]!.StartedAt, "one at a time");
        var logs = await Task.WhenAll(runs.Select(r => Store.Logs.ReadAsync(r, new TaskId("t"), 1, default)));
        Assert.Equal(["hello default", "hello conf", "hello default"], logs.Select(l => Assert.Single(l, line => line.Message.StartsWith("hello", StringComparison.Ordinal)).Message));
    }

    private async Task<RunId> TriggerAsync(EmbeddedEngine engine, string dagId)
    {
        var dag = engine.Catalog.Current[new DagId(dagId)];
        var runId = new RunId($"manual__{Guid.NewGuid():N}");
        Assert.True(await new RunFactory(Store, TimeProvider.System).CreateAsync(dag, runId, TimeProvider.System.GetUtcNow(), RunType.Manual, "{}", default));
        return runId;
    }

    private void WriteTwoTaskDag(string id, string first, string second) => File.WriteAllText(Path.Combine(Dags, $"{id}.json"),
        $$$"""{"id": "{{{id}}}", "tasks": [{"id": "a", "type": "shell", "args": {"command": "{{{first}}}"}}, {"id": "b", "type": "shell", "dependsOn": ["a"], "args": {"command": "{{{second}}}"}}]}""");

    private void WriteDag(string id, string command) => File.WriteAllText(Path.Combine(Dags, $"{id}.json"),
        $$$"""{"id": "{{{id}}}", "tasks": [{"id": "t", "type": "shell", "args": {"command": "{{{command}}}"}}]}""");
}
