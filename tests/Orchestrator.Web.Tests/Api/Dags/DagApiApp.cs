using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Application;
using Orchestrator.Application.Dags;
using Orchestrator.Application.Queries;
using Orchestrator.Application.Runs;
using Orchestrator.Application.TaskInstances;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Execution.Hosting;
using Orchestrator.Loading;
using Orchestrator.Storage;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Web.Api;
using Orchestrator.Web.Api.Dags;
using Orchestrator.Web.Api.Events;
using Orchestrator.Web.Api.OpenApi;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Tests.Api.Dags;

/// <summary>The DAG API on a TestServer over a real SQLite store in a temp folder. The caller's role comes from the
/// <c>X-Test-Role</c> header (real sign-in is another part's); no header = not signed in.</summary>
internal sealed class DagApiApp : IAsyncDisposable
{
    public const string RoleHeader = TestAuthentication.RoleHeader;

    private readonly string _folder = Directory.CreateTempSubdirectory("dagapi").FullName;
    private WebApplication? _app;

    public IMetadataStore Store { get; private set; } = null!;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public RecordingCommands Commands { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public string Folder => _folder;

    /// <param name="realCommands">The application layer's real commands (<c>AddOrchestratorCommands</c>, no engine in
    /// this process) instead of <see cref="RecordingCommands"/>.</param>
    public static async Task<DagApiApp> StartAsync(bool realCommands = false)
    {
        var app = new DagApiApp();
        await app.InitAsync(realCommands);
        return app;
    }

    public HttpClient ClientAs(string role)
    {
        var client = _app!.GetTestServer().CreateClient();
        client.DefaultRequestHeaders.Add(RoleHeader, role);
        return client;
    }

    /// <summary>Writes the DAG file, loads it and records it in the store as the engine's catalog does.</summary>
    public async Task<LoadedDag> RegisterDagAsync(string fileName, string json)
    {
        var path = Path.Combine(_folder, fileName);
        await File.WriteAllTextAsync(path, json);
        var loaded = await DagLoaders.CreateFolderLoader(new DagLoaderOptions()).LoadFileAsync(path, default);
        var dag = Assert.Single(loaded.Dags);
        await DagRegistration.RegisterAsync(Store, dag, Time.GetUtcNow(), default);
        return dag;
    }

    private async Task InitAsync(bool realCommands)
    {
        Store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), Time, default);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(Store);
        builder.Services.AddSingleton<TimeProvider>(Time);
        if (realCommands)
        {
            builder.Services.AddOrchestratorExecution(); // the task types a stored DAG version is checked against
            builder.Services.AddOrchestratorCommands();
        }
        else
        {
            builder.Services.AddSingleton<IDagCommands>(Commands);
            builder.Services.AddSingleton<IRunCommands>(Commands);
            builder.Services.AddSingleton<ITaskInstanceCommands>(Commands);
        }

        builder.Services.AddDagQueries();
        builder.Services.AddOrchestratorApiErrors();
        builder.Services.AddOrchestratorOpenApi();
        TestAuthentication.AddTo(builder.Services);
        builder.Services.AddAuthorization(options => options.AddOrchestratorPolicies());
        _app = builder.Build();
        _app.UseExceptionHandler();
        _app.UseStatusCodePages();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapGroup("/api/v1").MapDagApi().MapEventApi();
        _app.MapOrchestratorOpenApi();
        await _app.StartAsync();
        Client = ClientAs(OrchestratorRoles.Viewer);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await Store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The write use cases, recorded (their real implementations are the control part's and tested there):
/// lets a test see whether an endpoint reached them and with which actor.</summary>
internal sealed class RecordingCommands : IDagCommands, IRunCommands, ITaskInstanceCommands
{
    public List<string> Calls { get; } = [];

    public Task SetPausedAsync(DagId dagId, bool paused, Actor actor, CancellationToken cancellationToken)
    {
        Calls.Add($"pause {dagId} {paused} by {actor.Name}");
        return Task.CompletedTask;
    }

    public Task<RunId> TriggerAsync(DagId dagId, string? confJson, Actor actor, CancellationToken cancellationToken)
    {
        Calls.Add($"trigger {dagId} {confJson} by {actor.Name}");
        throw ApplicationProblemException.NotFound($"no DAG '{dagId}'");
    }

    public Task<IReadOnlyList<TaskId>> ClearAsync(RunId runId, TaskId taskId, bool downstream, Actor actor, CancellationToken cancellationToken)
    {
        Calls.Add($"clear {runId} {taskId} {downstream} by {actor.Name}");
        return Task.FromResult<IReadOnlyList<TaskId>>([taskId]);
    }

    public Task MarkAsync(RunId runId, TaskId taskId, TaskInstanceState state, Actor actor, CancellationToken cancellationToken)
    {
        Calls.Add($"mark {runId} {taskId} {state.ToName()} by {actor.Name}");
        return Task.CompletedTask;
    }
}
