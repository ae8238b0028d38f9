using System.Diagnostics;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Application.Dags;
using Orchestrator.Application.Queries;
using Orchestrator.Application.Runs;
using Orchestrator.Application.TaskInstances;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Engine.Catalog;
using Orchestrator.Loading;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Web.Api;
using Orchestrator.Web.Api.Dags;
using Orchestrator.Web.Security;

namespace Orchestrator.Benchmarks.Dashboard;

/// <summary>The dashboard's heaviest reads over HTTP (Kestrel on loopback, SQLite store): the grid and graph of a
/// 2,000-task DAG with 25 runs, and the DAGs list of 500 DAGs with 10 runs each. Server time is measured around the
/// request by a middleware (query + JSON writing), median and p95 over repeated requests after a warm-up.</summary>
internal static class DashboardBenchmark
{
    private const int BigTasks = 2000;
    private const int BigRuns = 25;
    private const int SmallDags = 500;
    private const int SmallRuns = 10;

    public static async Task RunAsync(int requests)
    {
        var folder = Directory.CreateTempSubdirectory("dashboard-bench").FullName;
        try
        {
            await using var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(folder, "orchestrator.db")), TimeProvider.System, default);
            var seed = Stopwatch.StartNew();
            await SeedAsync(store, folder);
            Console.WriteLine($"dashboard benchmark: {Environment.ProcessorCount} cores; seeded a {BigTasks}-task DAG × {BigRuns} runs and " +
                $"{SmallDags} DAGs × {SmallRuns} runs in {seed.Elapsed.TotalSeconds:F1} s; {requests} requests each after 20 warm-up");

            var times = new Dictionary<string, List<double>>();
            await using var app = Build(store, times);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            foreach (var path in new[] { "/api/v1/dags/big/grid?limit=25", "/api/v1/dags/big/graph", "/api/v1/dags?limit=500" })
            {
                var first = Stopwatch.StartNew();
                var bytes = (await client.GetByteArrayAsync(new Uri(path, UriKind.Relative))).Length;
                Console.WriteLine($"  {path}: first request {first.Elapsed.TotalMilliseconds:F0} ms (includes reading stored DAG versions), {bytes / 1024} KiB");
                for (var i = 0; i < 20; i++)
                {
                    await client.GetByteArrayAsync(new Uri(path, UriKind.Relative));
                }

                times.Clear();
                for (var i = 0; i < requests; i++)
                {
                    await client.GetByteArrayAsync(new Uri(path, UriKind.Relative));
                }

                var measured = times.Values.Single().Order().ToList();
                Console.WriteLine($"  {path}: server time median {Percentile(measured, 0.5):F1} ms, p95 {Percentile(measured, 0.95):F1} ms, max {measured[^1]:F1} ms");
            }

            await BreakdownAsync(app.Services, store, requests);
            await app.StopAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Where the grid's server time goes, each part alone in process: the store's two reads, the whole query
    /// (reads + placing 50,000 states) and the JSON writing of its answer.</summary>
    private static async Task BreakdownAsync(IServiceProvider services, SqlMetadataStore store, int requests)
    {
        var queries = services.GetRequiredService<Application.Queries.Dags.DagViewQueries>();
        var json = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var big = new DagId("big");
        var runIds = (await store.Dashboard.PageRunsAsync(new RunPageQuery(big, null, 0, BigRuns), default)).Runs.Select(r => r.RunId).ToList();
        var grid = await queries.GridAsync(big, BigRuns, default);
        var parts = new (string Name, Func<Task> Part)[]
        {
            ("store: page of 25 runs", () => store.Dashboard.PageRunsAsync(new RunPageQuery(big, null, 0, BigRuns), default)),
            ("store: 50,000 task states", () => store.Dashboard.TaskStatesAsync(runIds, default)),
            ("query: whole grid", () => queries.GridAsync(big, BigRuns, default)),
            ("JSON: grid answer", () => Task.FromResult(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(grid, json))),
        };
        // What a cold request pays besides JIT: reading the stored source back, parsing and checking 2,000 tasks, building
        // the graph and its layout — once per DAG version per process (a fresh cache each time here, code already warm).
        var parse = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var fresh = new Application.Queries.Dags.StoredDagVersions(new DagCatalog("", DagLoaders.CreateFolderLoader(new DagLoaderOptions()), store, TimeProvider.System));
            var version = (await store.Dags.GetAsync(big, default))!.LatestVersion;
            var started = Stopwatch.GetTimestamp();
            _ = await fresh.LayoutAsync(big, version, default);
            parse.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        parse.Sort();
        Console.WriteLine($"  grid breakdown, cold DAG version (read + parse + layout, warm code): median {Percentile(parse, 0.5):F1} ms");
        foreach (var (name, part) in parts)
        {
            var times = new List<double>(requests);
            for (var i = 0; i < requests; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await part();
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            times.Sort();
            Console.WriteLine($"  grid breakdown, {name}: median {Percentile(times, 0.5):F1} ms, p95 {Percentile(times, 0.95):F1} ms");
        }
    }

    private static WebApplication Build(IMetadataStore store, Dictionary<string, List<double>> times)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton<IDagCommands>(_ => throw new NotSupportedException("read-only benchmark"));
        builder.Services.AddSingleton<IRunCommands>(_ => throw new NotSupportedException("read-only benchmark"));
        builder.Services.AddSingleton<ITaskInstanceCommands>(_ => throw new NotSupportedException("read-only benchmark"));
        builder.Services.AddDagQueries();
        builder.Services.AddOrchestratorApiErrors();
        builder.Services.AddAuthentication(ViewerHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, ViewerHandler>(ViewerHandler.SchemeName, null);
        builder.Services.AddAuthorization(options => options.AddOrchestratorPolicies());
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            await next(context);
            lock (times)
            {
                var key = context.Request.Path.Value ?? "";
                if (!times.TryGetValue(key, out var list))
                {
                    times[key] = list = [];
                }

                list.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
        app.UseExceptionHandler();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGroup("/api/v1").MapDagApi();
        return app;
    }

    private static async Task SeedAsync(IMetadataStore store, string folder)
    {
        var loader = DagLoaders.CreateFolderLoader(new DagLoaderOptions());
        var now = TimeProvider.System.GetUtcNow();
        var big = await RegisterAsync(store, loader, folder, "big", BigDagJson(), now);
        var states = new[] { TaskInstanceState.Success, TaskInstanceState.Failed, TaskInstanceState.Skipped, TaskInstanceState.UpstreamFailed };
        for (var r = 0; r < BigRuns; r++)
        {
            await CreateRunAsync(store, big, $"big_{r}", now.AddDays(r - BigRuns), t => states[(t + r) % states.Length]);
        }

        for (var d = 0; d < SmallDags; d++)
        {
            var dag = await RegisterAsync(store, loader, folder, $"dag_{d:D3}", $$"""
                { "id": "dag_{{d:D3}}", "description": "dag {{d}}", "schedule": "@daily",
                  "tasks": [ { "id": "a", "type": "empty" }, { "id": "b", "type": "empty", "dependsOn": ["a"] } ] }
                """, now);
            for (var r = 0; r < SmallRuns; r++)
            {
                await CreateRunAsync(store, dag, $"dag_{d:D3}_{r}", now.AddDays(r - SmallRuns), _ => TaskInstanceState.Success);
            }
        }
    }

    private static string BigDagJson()
    {
        // Layers of 100 tasks, each depending on one task of the layer above: 20 layers.
        var text = new StringBuilder("{ \"id\": \"big\", \"schedule\": \"@daily\", \"tasks\": [");
        for (var t = 0; t < BigTasks; t++)
        {
            text.Append(t == 0 ? "" : ",").Append($"{{ \"id\": \"t{t}\", \"type\": \"empty\"");
            if (t >= 100)
            {
                text.Append($", \"dependsOn\": [\"t{t - 100 - (t % 7 == 0 ? t % 100 : 0)}\"]");
            }

            text.Append(" }");
        }

        return text.Append("] }").ToString();
    }

    private static async Task<LoadedDag> RegisterAsync(IMetadataStore store, Loading.Folder.DagFolderLoader loader, string folder, string name, string json, DateTimeOffset now)
    {
        var path = Path.Combine(folder, name + ".json");
        await File.WriteAllTextAsync(path, json);
        var result = await loader.LoadFileAsync(path, default);
        var dag = result.Dags.Count == 1 ? result.Dags[0] : throw new InvalidOperationException(string.Join("; ", result.Errors));
        await DagRegistration.RegisterAsync(store, dag, now, default);
        return dag;
    }

    private static async Task CreateRunAsync(IMetadataStore store, LoadedDag dag, string runId, DateTimeOffset logicalDate, Func<int, TaskInstanceState> state)
    {
        var run = new DagRunRecord(new RunId(runId), dag.Id, dag.Version, logicalDate, RunType.Scheduled, DagRunState.Success, "{}", logicalDate,
            logicalDate.AddMinutes(1), logicalDate.AddMinutes(5));
        var tasks = dag.Definition.Tasks.Select((task, i) => new TaskInstanceRecord(run.RunId, task.Id, state(i), 1, 1, "default", logicalDate)).ToList();
        if (!await store.Runs.CreateAsync(run, tasks, default))
        {
            throw new InvalidOperationException($"run {runId} exists");
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private sealed class ViewerHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "BenchViewer";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "bench"), new Claim(ClaimTypes.Role, OrchestratorRoles.Viewer)], SchemeName)), SchemeName)));
    }
}
