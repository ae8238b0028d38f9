using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.States;
using Orchestrator.Execution.LocalRuns;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Loading;
using Orchestrator.Loading.Json;
using Orchestrator.ML.Tasks;
using Orchestrator.Storage;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.ML.Tests.Tasks;

/// <summary>A temp home composed as the CLI composes one (execution + ML task types on a real SQLite metadata store and
/// the home's folder artifact store), with a dags folder holding a sample of the taxi data at the path the example
/// DAG names. Runs DAGs in process through <see cref="LocalRunExecutor"/>, as <c>dags test</c> does.</summary>
internal sealed class MlHome : IAsyncDisposable
{
    public const string Model = "taxi_fare";

    /// <summary>Where the example DAG reads its data, relative to its folder.</summary>
    public const string TaxiPath = "data/taxi-fare/taxi-fare-train.csv";

    private readonly ServiceProvider _services;

    private MlHome(string root, SqlMetadataStore store, FolderArtifactStore artifacts, FakeTimeProvider time, Action<IServiceCollection>? configure)
    {
        Root = root;
        Store = store;
        Artifacts = artifacts;
        Time = time;
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IMetadataStore>(store)
            .AddSingleton<IArtifactStore>(artifacts);
        configure?.Invoke(services); // before AddOrchestratorMl, whose TryAdd keeps what a test put there
        services.AddOrchestratorMl();
        _services = services.BuildServiceProvider();
    }

    public string Root { get; }

    public string Dags => Path.Combine(Root, "dags");

    public SqlMetadataStore Store { get; }

    public FolderArtifactStore Artifacts { get; }

    /// <summary>Every read advances it a millisecond: records get distinct, ordered times, and nothing waits on it
    /// (the DAGs here have no retries; a retry's delay would never come and the run's time limit would fail the test).</summary>
    public FakeTimeProvider Time { get; }

    public IServiceProvider Services => _services;

    public static async Task<MlHome> CreateAsync(int sampleRows = 3000, Action<IServiceCollection>? configure = null)
    {
        var root = Directory.CreateTempSubdirectory("ml-tasks-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "home"));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 3, 0, 0, TimeSpan.Zero)) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(root, "home", "orchestrator.db")), time, default);
        var home = new MlHome(root, store, new FolderArtifactStore(Path.Combine(root, "home", "artifacts")), time, configure);
        if (sampleRows > 0)
        {
            home.WriteTaxiSample(sampleRows);
        }

        return home;
    }

    /// <summary>The first <paramref name="rows"/> data rows of the repository's taxi-fare training file, at
    /// <see cref="TaxiPath"/> (or <paramref name="relativePath"/>) under the dags folder.</summary>
    public string WriteTaxiSample(int rows, string relativePath = TaxiPath)
    {
        var path = Path.Combine(Dags, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, File.ReadLines(RepositoryFile("dags/data/taxi-fare/taxi-fare-train.csv")).Take(rows + 1));
        return path;
    }

    public string WriteFile(string relativePath, string text)
    {
        var path = Path.Combine(Dags, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    /// <summary>The repository's example DAG, edited by <paramref name="edit"/>, written into the dags folder as
    /// <paramref name="fileName"/> and loaded by the JSON loader against the registered task types.</summary>
    public async Task<LoadedDag> ExampleDagAsync(Action<JsonNode> edit, string fileName = "taxi_fare_retrain.json")
    {
        var text = await File.ReadAllTextAsync(RepositoryFile("dags/taxi_fare_retrain.json"));
        var dag = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
        edit(dag);
        var path = WriteFile(fileName, dag.ToJsonString());
        return await LoadAsync(path);
    }

    public async Task<LoadedDag> LoadAsync(string path)
    {
        var loader = new JsonDagFileLoader(new DagLoaderOptions { KnownTaskTypes = _services.GetRequiredService<TaskTypeRegistry>().KnownTypes });
        var result = await loader.LoadAsync(path, await File.ReadAllBytesAsync(path), default);
        Assert.Empty(result.Errors);
        return Assert.Single(result.Dags);
    }

    /// <summary>A DAG built in code, placed (for its relative paths) in the dags folder.</summary>
    public LoadedDag Build(DagBuilder builder)
    {
        var result = builder.TryBuild(new Core.Validation.DagValidationOptions { KnownTaskTypes = _services.GetRequiredService<TaskTypeRegistry>().KnownTypes });
        Assert.Empty(result.Errors);
        return new LoadedDag(result.Dag!, result.Graph!, Path.Combine(Dags, $"{result.Dag!.Id}.cs"), "test");
    }

    /// <summary>One run to its end, as <c>dags test</c> runs it; a run still going after two minutes fails the test.</summary>
    public async Task<RunResult> RunAsync(LoadedDag dag, string? conf = null)
    {
        var executor = _services.GetRequiredService<LocalRunExecutor>();
        JsonElement? confValue = conf is null ? null : JsonDocument.Parse(conf).RootElement.Clone();
        var run = executor.NewRun(dag.Definition, dag.Folder, confValue);
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        return await executor.RunAsync(dag.Definition, dag.Graph, run, progress: null, limit.Token);
    }

    public static TaskRunSummary Task(RunResult result, string id) => result.Tasks.Single(t => t.TaskId.Value == id);

    public static T Output<T>(RunResult result, string id, string kind)
        where T : class =>
        MlJson.As<T>(Task(result, id).Output ?? throw new InvalidOperationException($"task '{id}' has no output"), kind)
        ?? throw new InvalidOperationException($"task '{id}''s output is not a {kind}");

    /// <summary>The run succeeded, or the assertion shows every task's state and reason.</summary>
    public static void Succeeded(RunResult result) =>
        Assert.True(result.State == DagRunState.Success,
            string.Join("\n", result.Tasks.Select(t => $"{t.TaskId}: {t.State.ToName()} {t.Reason}")));

    /// <summary>The files the artifact store holds, by name (a stored file is named by its digest, less the
    /// two-character folder it sits in).</summary>
    public IReadOnlyList<string> StoredArtifactFiles() =>
        Directory.Exists(Artifacts.Root)
            ? [.. Directory.EnumerateFiles(Artifacts.Root, "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(Path.GetDirectoryName(f)) + Path.GetFileName(f))]
            : [];

    public static string RepositoryFile(string relativePath)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Orchestrator.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Orchestrator.sln not found above the test binaries."), relativePath);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Root, recursive: true);
    }
}
