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

public sealed class EmbeddedEngineTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-standalone-").FullName;
    private SqlMetadataStore _store = null!;

    private string Dags => Path.Combine(_root, "dags");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Dags);
        _store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_root, "orchestrator.db")), TimeProvider.System, default);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task DagEditedMidRun_KeepsItsOldVersionForThatRun_AndNewRunsUseTheNewOne()
    {
        WriteDag("edit_me", "sleep 1; echo v1");
        await using var engine = await StartAsync();
        var first = await TriggerAsync(engine, "edit_me");
        await WaitUntilAsync(async () => (await _store.TaskInstances.ListAsync(first, default)).Single().State == TaskInstanceState.Running);

        WriteDag("edit_me", "echo v2");
        await WaitUntilAsync(() => Task.FromResult(engine.Catalog.Current[new DagId("edit_me")].Definition.Tasks[0].Args.GetRawText().Contains("v2", StringComparison.Ordinal)));
        var second = await TriggerAsync(engine, "edit_me");

        await WaitUntilAsync(async () => (await _store.Runs.GetAsync(first, default))!.State.IsFinished() && (await _store.Runs.GetAsync(second, default))!.State.IsFinished());
        Assert.Equal("\"v1\"", (await _store.Outputs.GetAllAsync(first, default)).Single().Value);
        Assert.Equal("\"v2\"", (await _store.Outputs.GetAllAsync(second, default)).Single().Value);
        Assert.NotEqual((await _store.Runs.GetAsync(first, default))!.DagVersion, (await _store.Runs.GetAsync(second, default))!.DagVersion);
    }

    [Fact]
    public async Task NewRemovedAndBrokenFiles_AreReflectedWithinSeconds()
    {
        WriteDag("first", "echo 1");
        await using var engine = await StartAsync();
        Assert.Single(engine.Catalog.Current);

        WriteDag("second", "echo 2");
        File.WriteAllText(Path.Combine(Dags, "broken.json"), "{ \"id\": ");
        File.Delete(Path.Combine(Dags, "first.json"));

        await WaitUntilAsync(() => Task.FromResult(engine.Catalog.Current.Keys.Select(k => k.Value).SequenceEqual(["second"]) && engine.Catalog.ImportErrors.Count == 1));
        Assert.EndsWith("broken.json", Assert.Single(await _store.Dags.ListImportErrorsAsync(default)).FilePath, StringComparison.Ordinal);
        Assert.False((await _store.Dags.GetAsync(new DagId("first"), default))!.IsActive);
    }

    private async Task<EmbeddedEngine> StartAsync() => await EmbeddedEngine.StartAsync(
        new EngineOptions { DagsFolder = Dags, Workers = 2, RescanPeriod = TimeSpan.FromSeconds(1), RunPickupPeriod = TimeSpan.FromMilliseconds(200) },
        _store, TaskTypeRegistry.CreateDefault(), TimeProvider.System, NullLogger.Instance, default);

    private async Task<RunId> TriggerAsync(EmbeddedEngine engine, string dagId)
    {
        var dag = engine.Catalog.Current[new DagId(dagId)];
        var runId = new RunId($"manual__{Guid.NewGuid():N}");
        Assert.True(await new RunFactory(_store, TimeProvider.System).CreateAsync(dag, runId, TimeProvider.System.GetUtcNow(), RunType.Manual, "{}", default));
        return runId;
    }

    private void WriteDag(string id, string command) => File.WriteAllText(Path.Combine(Dags, $"{id}.json"),
        $$$"""{"id": "{{{id}}}", "tasks": [{"id": "t", "type": "shell", "args": {"command": "{{{command}}}"}}]}""");

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("condition not reached within 10 s");
    }
}
