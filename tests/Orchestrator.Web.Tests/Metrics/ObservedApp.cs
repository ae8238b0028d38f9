using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Web.Health;
using Orchestrator.Web.Metrics;

namespace Orchestrator.Web.Tests.Metrics;

/// <summary>A TestServer app with /metrics and /health over a real SQLite store in a temp folder, on a fake clock.</summary>
internal sealed class ObservedApp : IAsyncDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private ObservedApp(string folder, SqlMetadataStore store, WebApplication app, FakeTimeProvider time)
    {
        Time = time;
        Folder = folder;
        Store = store;
        App = app;
        Client = app.GetTestClient();
    }

    public string Folder { get; }

    public SqlMetadataStore Store { get; }

    public WebApplication App { get; }

    public HttpClient Client { get; }

    /// <summary>The app's clock (the store cache's age).</summary>
    public FakeTimeProvider Time { get; }

    public static async Task<ObservedApp> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("orchestrator-observed-").FullName;
        var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(folder, "db", "orchestrator.db")), TimeProvider.System, default);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<IMetadataStore>(store);
        var time = new FakeTimeProvider(T0);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddOrchestratorMetrics();
        var app = builder.Build();
        app.MapOrchestratorMetrics();
        app.MapOrchestratorHealth();
        app.MapGet("/things/{id}", (string id) => id);
        await app.StartAsync();
        return new ObservedApp(folder, store, app, time);
    }

    public async Task<RunId> CreateRunAsync(string id, DagRunState state, params (string Task, TaskInstanceState State)[] tasks)
    {
        var runId = new RunId(id);
        Assert.True(await Store.Runs.CreateAsync(
            new DagRunRecord(runId, new DagId("etl"), "v1", T0.AddHours(int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture)), RunType.Manual, DagRunState.Queued, "{}", T0),
            [.. tasks.Select(t => new TaskInstanceRecord(runId, new TaskId(t.Task), TaskInstanceState.None, 0, 1, "default", T0))],
            default));
        if (state != DagRunState.Queued)
        {
            Assert.True(await Store.Runs.TryTransitionAsync(new RunTransition(runId, DagRunState.Queued, state, T0), default));
        }

        foreach (var (task, to) in tasks.Where(t => t.State != TaskInstanceState.None))
        {
            Assert.True(await Store.TaskInstances.TryTransitionAsync(new TaskTransition(runId, new TaskId(task), TaskInstanceState.None, to, "seeded", T0), default));
        }

        return runId;
    }

    public async Task<string> ScrapeAsync() => await Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.DisposeAsync();
        await Store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}
