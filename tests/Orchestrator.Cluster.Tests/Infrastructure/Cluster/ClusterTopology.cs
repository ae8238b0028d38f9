using System.Globalization;
using System.Text.RegularExpressions;
using Orchestrator.Cluster.Tests.Infrastructure.Postgres;
using Orchestrator.Cluster.Tests.Infrastructure.Processes;

namespace Orchestrator.Cluster.Tests.Infrastructure.Cluster;

/// <summary>The docker-compose topology as plain processes on loopback: one database on a <see cref="PrivatePostgres"/>,
/// <c>db migrate</c>, N schedulers, M workers and a webserver, sharing one temp home (artifacts) and one dags
/// folder, configured as compose configures them: ORCHESTRATOR_STORAGE, ORCHESTRATOR_HOME, ORCHESTRATOR_DAGS,
/// ORCHESTRATOR_SECRET_KEY. Disposing kills every process still running, prints their last lines and deletes the
/// folders (the server belongs to the caller).</summary>
public sealed class ClusterTopology : IAsyncDisposable
{
    /// <summary>Bound on one-shot commands (db migrate, dags trigger, runs list).</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly ITestOutputHelper _output;
    private readonly List<OrchestratorProcess> _processes = [];
    private readonly Dictionary<string, string?> _environment;
    private RunWatcher? _watcher;
    private int _started;

    private ClusterTopology(PrivatePostgres postgres, string storage, string root, ITestOutputHelper output)
    {
        Postgres = postgres;
        Storage = storage;
        Root = root;
        _output = output;
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(Dags);
        Directory.CreateDirectory(Logs);
        // One key for the whole cluster, as compose passes it to every service.
        _environment = new Dictionary<string, string?>
        {
            ["ORCHESTRATOR_STORAGE"] = storage,
            ["ORCHESTRATOR_HOME"] = Home,
            ["ORCHESTRATOR_DAGS"] = Dags,
            ["ORCHESTRATOR_SECRET_KEY"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            // Faults are noticed within seconds rather than the 30 s default, so the fault tests stay short.
            ["ORCHESTRATOR_LEASE_TIMEOUT"] = "6s",
        };
    }

    public PrivatePostgres Postgres { get; }

    /// <summary>The connection string every process gets as ORCHESTRATOR_STORAGE.</summary>
    public string Storage { get; }

    public string Root { get; }

    public string Home => Path.Combine(Root, "home");

    public string Dags => Path.Combine(Root, "dags");

    /// <summary>One log file per process started.</summary>
    public string Logs => Path.Combine(Root, "logs");

    /// <summary>What every process is started with (tests may add to it before starting processes).</summary>
    public IDictionary<string, string?> Environment => _environment;

    public List<OrchestratorProcess> Schedulers { get; } = [];

    public List<OrchestratorProcess> Workers { get; } = [];

    public OrchestratorProcess? Webserver { get; private set; }

    public int? WebPort { get; private set; }

    /// <summary>A new database on the server and the folders of a cluster; no process runs yet.</summary>
    public static async Task<ClusterTopology> CreateAsync(PrivatePostgres postgres, ITestOutputHelper output, string database = "orchestrator")
    {
        ArgumentNullException.ThrowIfNull(postgres);
        var storage = await postgres.CreateDatabaseAsync(database);
        return new ClusterTopology(postgres, storage, Directory.CreateTempSubdirectory("orchestrator-cluster-").FullName, output);
    }

    /// <summary>Writes a DAG file into the shared dags folder.</summary>
    public string WriteDag(string fileName, string json)
    {
        var path = Path.Combine(Dags, fileName);
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary><c>db migrate</c>, then the schedulers, the workers (each with the given queues and concurrency)
    /// and, when asked, the webserver (waited for until /health answers).</summary>
    public async Task StartAsync(int schedulers, int workers, bool webserver = false, IReadOnlyList<string>? queues = null, int? concurrency = null)
    {
        await MigrateAsync();
        for (var i = 0; i < schedulers; i++)
        {
            StartScheduler();
        }

        for (var i = 0; i < workers; i++)
        {
            StartWorker(queues, concurrency);
        }

        if (webserver)
        {
            await StartWebserverAsync();
        }
    }

    /// <summary><c>orchestrator db migrate</c>; throws with its output unless it exits 0 within the bound.</summary>
    public async Task MigrateAsync()
    {
        var migrate = await RunAsync("db", "migrate");
        if (migrate.ExitCode != 0)
        {
            throw new InvalidOperationException($"db migrate exited {migrate.ExitCode}:\n{migrate.Tail()}");
        }
    }

    public OrchestratorProcess StartScheduler()
    {
        var scheduler = Launch($"scheduler-{Schedulers.Count + 1}", "scheduler", "--dags", Dags);
        Schedulers.Add(scheduler);
        return scheduler;
    }

    public OrchestratorProcess StartWorker(IReadOnlyList<string>? queues = null, int? concurrency = null)
    {
        List<string> args = ["worker", "--dags", Dags];
        if (queues is { Count: > 0 })
        {
            args.AddRange(["--queues", string.Join(',', queues)]);
        }

        if (concurrency is { } slots)
        {
            args.AddRange(["--concurrency", slots.ToString(CultureInfo.InvariantCulture)]);
        }

        var worker = Launch($"worker-{Workers.Count + 1}", [.. args]);
        Workers.Add(worker);
        return worker;
    }

    /// <summary>Starts the webserver on a free port and waits until /health answers 200.</summary>
    public async Task<OrchestratorProcess> StartWebserverAsync()
    {
        var port = FreePorts.Next();
        Webserver = Launch("webserver", "webserver", "--dags", Dags, "--port", port.ToString(CultureInfo.InvariantCulture));
        WebPort = port;
        await WaitHealthyAsync(Webserver, port, TimeSpan.FromSeconds(60));
        return Webserver;
    }

    /// <summary>Starts any orchestrator command with the cluster's environment; it is killed when the topology is
    /// disposed.</summary>
    public OrchestratorProcess Launch(string name, params string[] args)
    {
        var process = OrchestratorProcess.Start(name, args, _environment, Logs, _output, workingDirectory: Root);
        _processes.Add(process);
        return process;
    }

    /// <summary>Runs a one-shot command to its end (bounded) and returns the ended process: exit code, stdout, log.</summary>
    public async Task<OrchestratorProcess> RunAsync(params string[] args)
    {
        var name = $"{string.Join('-', args.TakeWhile(a => !a.StartsWith('-')).Take(2))}-{Interlocked.Increment(ref _started)}";
        var process = Launch(name, args);
        await process.WaitForExitAsync(CommandTimeout);
        return process;
    }

    /// <summary><c>dags trigger DAG</c>: returns the new run's id (the command's last stdout line).</summary>
    public async Task<string> TriggerAsync(string dagId, string? conf = null)
    {
        string[] args = conf is null ? ["dags", "trigger", dagId, "--dags", Dags] : ["dags", "trigger", dagId, "--dags", Dags, "--conf", conf];
        var trigger = await RunAsync(args);
        var lines = trigger.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (trigger.ExitCode != 0 || lines.Length == 0)
        {
            throw new InvalidOperationException($"dags trigger {dagId} exited {trigger.ExitCode}:\n{trigger.Tail()}");
        }

        return lines[^1];
    }

    /// <summary>A reader of the cluster's metadata store (opened once, after the schema exists).</summary>
    public async Task<RunWatcher> WatcherAsync() => _watcher ??= await RunWatcher.OpenAsync(Storage);

    /// <summary>Waits until GET /health on the port answers 200; fails early, with its output, if the process ends.</summary>
    public static async Task WaitHealthyAsync(OrchestratorProcess process, int port, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(process);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var health = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/health");
        await RunWatcher.WaitUntilAsync<string>(
            async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"{process.Name} exited (code {process.ExitCode}) before /health answered:\n{process.Tail()}");
                }

                try
                {
                    using var response = await http.GetAsync(health);
                    return response.IsSuccessStatusCode ? "healthy" : null;
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    return null;
                }
            },
            timeout,
            () => Task.FromResult($"{process.Name}: {health} did not answer 200 within {timeout.TotalSeconds:0} s:\n{process.Tail()}"));
    }

    /// <summary>A pattern for <see cref="OrchestratorProcess.WaitForOutputAsync"/> matching text literally.</summary>
    public static Regex Literal(string text) => new(Regex.Escape(text), RegexOptions.CultureInvariant);

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        if (_watcher is not null)
        {
            await _watcher.DisposeAsync();
        }

        Npgsql.NpgsqlConnection.ClearAllPools();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // a task's process still writing in it; the temp folder is cleaned by the OS later
        }
    }
}
