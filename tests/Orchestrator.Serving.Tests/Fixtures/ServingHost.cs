using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.ML.Models;
using Orchestrator.Serving.Resolution;
using Orchestrator.Storage;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Records;

namespace Orchestrator.Serving.Tests.Fixtures;

/// <summary>The scoring endpoints on an in-memory TestServer with the real package reader and real taxi models, an
/// in-memory registry and a fake clock. Trained packages are shared by all tests (training is the slow part).</summary>
internal sealed class ServingHost : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<(MlTask, float), Lazy<string>> Packages = new();
    private static readonly string PackageFolder = Directory.CreateTempSubdirectory("serving-packages-").FullName;

    private readonly WebApplication _app;
    private readonly string _artifactFolder;

    private ServingHost(WebApplication app, string artifactFolder)
    {
        _app = app;
        _artifactFolder = artifactFolder;
    }

    public HttpClient Client { get; private set; } = null!;

    /// <summary>What the server logged.</summary>
    public CapturedLogs Logs { get; private init; } = null!;

    /// <summary>The folder the artifact store keeps its files in (a path the replies must never show).</summary>
    public string ArtifactFolder => _artifactFolder;

    /// <summary>The stored package file of a registered version, for tests that damage it.</summary>
    public async Task<string> PackageFileAsync(string name, int version)
    {
        var record = await Registry.GetVersionAsync(name, version, CancellationToken.None);
        return Path.Combine(_artifactFolder, record!.ArtifactDigest);
    }

    public InMemoryModelRegistry Registry { get; } = new();

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public TrackingPackageReader Reader { get; } = new(new ModelPackageReader());

    public ServedModels Served => _app.Services.GetRequiredService<ServedModels>();

    public IModelDeploymentNotifier Notifier => _app.Services.GetRequiredService<IModelDeploymentNotifier>();

    private IArtifactStore Artifacts => _app.Services.GetRequiredService<IArtifactStore>();

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the host; <paramref name="services"/> adds or replaces services (an inference log store, a
    /// seeded sampler) before it is built.</summary>
    public static async Task<ServingHost> StartAsync(Action<ModelServingOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var artifactFolder = Directory.CreateTempSubdirectory("serving-artifacts-").FullName;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        var logs = new CapturedLogs();
        builder.Logging.AddProvider(logs);
        ServingHost? host = null;
        builder.Services.AddSingleton<IModelRegistryStore>(_ => host!.Registry);
        builder.Services.AddSingleton<IArtifactStore>(new FolderArtifacts(artifactFolder));
        builder.Services.AddSingleton<IModelPackageReader>(_ => host!.Reader);
        builder.Services.AddSingleton<TimeProvider>(_ => host!.Time);
        builder.Services.AddModelServing(configure);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        host = new ServingHost(app, artifactFolder) { Logs = logs };
        app.MapModelServing();
        app.MapModelFeedback();
        await app.StartAsync();
        host.Client = app.GetTestClient();
        return host;
    }

    /// <summary>Registers a new version of a taxi model (trained once per task and scale) and returns its number.</summary>
    public async Task<int> RegisterAsync(string name, MlTask task, float fareScale = 1)
    {
        var package = Packages.GetOrAdd((task, fareScale), key => new Lazy<string>(() =>
        {
            var path = Path.Combine(PackageFolder, $"{key.Item1}-{key.Item2}.zip");
            TaxiModels.WritePackage(key.Item1, path, key.Item2);
            return path;
        })).Value;
        var artifact = await Artifacts.PutFileAsync(package, null, CancellationToken.None);
        var (version, _) = await Registry.RegisterVersionAsync(
            new NewModelVersion(name, artifact.Digest, $"{{\"task\":\"{task.ToString().ToLowerInvariant()}\"}}", null, null, "{}", "{\"r2\":0.9}",
                new RunLineage("taxi", "run-1", "train", 1)),
            Time.GetUtcNow(), CancellationToken.None);
        return version.Version;
    }

    public Task SetAliasAsync(string name, string alias, int version) =>
        Registry.SetAliasAsync(name, alias, version, "test", null, Time.GetUtcNow(), CancellationToken.None);

    public Task<HttpResponseMessage> PostAsync(string path, string body, string contentType = "application/json") =>
        Client.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_artifactFolder, recursive: true);
    }
}

/// <summary>The real package reader, keeping every model it loaded so tests can see when one is disposed.</summary>
internal sealed class TrackingPackageReader(IModelPackageReader inner) : IModelPackageReader
{
    public ConcurrentQueue<TrackedModel> Loaded { get; } = new();

    public ILoadedModel Read(string path)
    {
        var model = new TrackedModel(inner.Read(path));
        Loaded.Enqueue(model);
        return model;
    }
}

internal sealed class TrackedModel(ILoadedModel inner) : ILoadedModel
{
    private int _disposed;

    public bool Disposed => Volatile.Read(ref _disposed) == 1;

    public ModelSignature Signature => inner.Signature;

    public IModelScorer CreateScorer() => inner.CreateScorer();

    public void Dispose()
    {
        Interlocked.Exchange(ref _disposed, 1);
        inner.Dispose();
    }
}
