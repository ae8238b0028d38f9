using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Application.Dags;
using Orchestrator.Application.Runs;
using Orchestrator.Application.TaskInstances;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Engine.Hosting;
using Orchestrator.Execution.Hosting;
using Orchestrator.Loading.Folder;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Tests;

/// <summary>The application layer as a host composes it, on a real store, with a DAG folder holding <c>flow</c>
/// (a → b → c, scripted tasks, no retries) and, when asked, the embedded engine running in the same process.</summary>
internal sealed class AppHost : IAsyncDisposable
{
    public static readonly DagId Flow = new("flow");

    private const string FlowJson = """
        {
          "id": "flow",
          "params": { "minRows": 10, "label": "x", "strict": true },
          "tasks": [
            { "id": "a", "type": "scripted" },
            { "id": "b", "type": "scripted", "dependsOn": ["a"] },
            { "id": "c", "type": "scripted", "dependsOn": ["b"] }
          ]
        }
        """;

    private readonly string _dags = Directory.CreateTempSubdirectory("orchestrator-app-dags-").FullName;
    private readonly ITestBackend _backend;
    private ServiceProvider _services = null!;
    private EmbeddedEngineService? _engine;

    private AppHost(ITestBackend backend) => _backend = backend;

    public ScriptedTask Script { get; } = new();

    public IMetadataStore Store { get; private set; } = null!;

    public IRunCommands Runs => _services.GetRequiredService<IRunCommands>();

    public IDagCommands Dags => _services.GetRequiredService<IDagCommands>();

    public ITaskInstanceCommands Tasks => _services.GetRequiredService<ITaskInstanceCommands>();

    public static async Task<AppHost> StartAsync(ITestBackend backend, bool engine)
    {
        var host = new AppHost(backend);
        await File.WriteAllTextAsync(Path.Combine(host._dags, "flow.json"), FlowJson);
        host.Store = await backend.OpenAsync();
        var services = new ServiceCollection();
        services.AddSingleton(host.Store);
        services.AddOrchestratorExecution();
        services.AddOrchestratorTaskType("scripted", _ => host.Script);
        services.AddOrchestratorCommands();
        if (engine)
        {
            services.AddOrchestratorEngine(options =>
            {
                options.DagsFolder = host._dags;
                options.Workers = 2;
                options.RunPickupPeriod = TimeSpan.FromMilliseconds(200);
                options.StopGrace = TimeSpan.FromSeconds(1);
            });
        }

        host._services = services.BuildServiceProvider();
        if (engine)
        {
            host._engine = host._services.GetRequiredService<EmbeddedEngineService>();
            await host._engine.StartAsync(default); // its catalog records the folder's DAGs in the store
        }
        else
        {
            var snapshot = await host._services.GetRequiredService<DagFolderLoader>().LoadAsync(host._dags, default);
            foreach (var dag in snapshot.Dags.Values)
            {
                await DagRegistration.RegisterAsync(host.Store, dag, TimeProvider.System.GetUtcNow(), default);
            }
        }

        return host;
    }

    public async Task<DagRunRecord> RunAsync(RunId runId) => (await Store.Runs.GetAsync(runId, default))!;

    public async Task<TaskInstanceRecord> TaskAsync(RunId runId, string task) =>
        (await Store.TaskInstances.ListAsync(runId, default)).Single(t => t.TaskId.Value == task);

    public async Task<string> StatesAsync(RunId runId) =>
        string.Join(' ', (await Store.TaskInstances.ListAsync(runId, default)).Select(t => $"{t.TaskId}={t.State.ToName()}"));

    /// <summary>Waits until the store shows the task in <paramref name="state"/> (a try's start is recorded beside it).</summary>
    public async Task WaitForAsync(RunId runId, string task, TaskInstanceState state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await TaskAsync(runId, task)).State != state)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"task {task} of {runId} is not {state.ToName()}; tasks: {await StatesAsync(runId)}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Waits (real time: a real engine runs the tasks) until the run has ended, and returns its state.</summary>
    public async Task<DagRunState> EndedAsync(RunId runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var run = await RunAsync(runId);
            if (run.State.IsFinished())
            {
                return run.State;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"run {runId} did not end; tasks: {await StatesAsync(runId)}");
    }

    /// <summary>Waits until the run left the state it had (a cleared run goes queued, then the engine runs it).</summary>
    public async Task<DagRunState> EndedAgainAsync(RunId runId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && (await RunAsync(runId)).State == DagRunState.Queued)
        {
            await Task.Delay(50);
        }

        return await EndedAsync(runId);
    }

    public async ValueTask DisposeAsync()
    {
        Script.ReleaseAll();
        if (_engine is not null)
        {
            await _engine.StopAsync(default);
        }

        await _services.DisposeAsync();
        await Store.DisposeAsync();
        await _backend.DropAsync();
        Directory.Delete(_dags, recursive: true);
    }
}
