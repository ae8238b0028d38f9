using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Application.Queries;
using Orchestrator.Application.Queries.Dags;
using Orchestrator.Application.Queries.Runs;
using Orchestrator.Application.Queries.TaskInstances;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Loading;
using Orchestrator.Secrets.Masking;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Application.Tests.Queries;

/// <summary>The DAG, run and task queries as <c>AddDagQueries</c> composes them, over a real store (each backend),
/// a fake clock and a temp folder for DAG files registered the way the engine's catalog records them.</summary>
internal sealed class QueryHost : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-queries-").FullName;
    private readonly ITestBackend _backend;
    private ServiceProvider _services = null!;

    private QueryHost(ITestBackend backend) => _backend = backend;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public IMetadataStore Store { get; private set; } = null!;

    public DagQueries Dags => _services.GetRequiredService<DagQueries>();

    public DagViewQueries Views => _services.GetRequiredService<DagViewQueries>();

    public RunQueries Runs => _services.GetRequiredService<RunQueries>();

    public TaskInstanceQueries Tasks => _services.GetRequiredService<TaskInstanceQueries>();

    public static async Task<QueryHost> StartAsync(ITestBackend backend)
    {
        var host = new QueryHost(backend);
        host.Store = await backend.OpenAsync();
        var services = new ServiceCollection();
        services.AddSingleton(host.Store);
        services.AddSingleton<TimeProvider>(host.Time);
        services.AddSingleton(new SensitiveNames(["ssn"])); // a word of the deployment's, beside the defaults (password, token, …)
        services.AddDagQueries();
        host._services = services.BuildServiceProvider();
        return host;
    }

    /// <summary>Writes, loads and records the DAG file (its source is what the queries read back).</summary>
    public async Task<LoadedDag> RegisterAsync(string json)
    {
        var path = Path.Combine(_folder, $"dag{Directory.GetFiles(_folder).Length}.json");
        await File.WriteAllTextAsync(path, json);
        var loaded = await DagLoaders.CreateFolderLoader(new DagLoaderOptions()).LoadFileAsync(path, default);
        var dag = loaded.Dags.Count == 1 ? loaded.Dags[0] : throw new InvalidOperationException(string.Join("; ", loaded.Errors));
        await DagRegistration.RegisterAsync(Store, dag, Time.GetUtcNow(), default);
        return dag;
    }

    /// <summary>A finished run of <paramref name="dag"/> whose tasks have the given states (a task left out has no
    /// task instance, as in a run of a version without it).</summary>
    public async Task<RunId> RunAsync(LoadedDag dag, string runId, DateTimeOffset logicalDate, IReadOnlyDictionary<string, TaskInstanceState> states, string conf = "{}")
    {
        var run = new DagRunRecord(new RunId(runId), dag.Id, dag.Version, logicalDate, RunType.Scheduled, DagRunState.Success, conf,
            logicalDate, logicalDate.AddMinutes(1), logicalDate.AddMinutes(5));
        var tasks = states.Select(s => new TaskInstanceRecord(run.RunId, new TaskId(s.Key), s.Value, s.Value is TaskInstanceState.None or TaskInstanceState.Queued ? 0 : 1, 1, "default", logicalDate)).ToList();
        Assert.True(await Store.Runs.CreateAsync(run, tasks, default));
        return run.RunId;
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Store.DisposeAsync();
        await _backend.DropAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
