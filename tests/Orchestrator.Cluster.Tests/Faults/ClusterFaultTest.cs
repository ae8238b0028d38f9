using Orchestrator.Cluster.Tests.Infrastructure.Cluster;
using Orchestrator.Cluster.Tests.Infrastructure.Postgres;
using Orchestrator.Cluster.Tests.Infrastructure.Processes;

namespace Orchestrator.Cluster.Tests.Faults;

/// <summary>A fault test's set-up: its own PostgreSQL server (fsync on), a cluster database and folders, and a folder
/// where tasks leave marks the test reads (which try ran, its shell's pid) or files the test creates to let a task
/// finish. Tests run one at a time (AssemblyInfo.cs), so each xunit Timeout bounds the whole test.</summary>
public abstract class ClusterFaultTest(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>The reason the distributed engine records for a try whose worker stopped heartbeating (issue 12).</summary>
    public const string WorkerLost = "worker lost";

    /// <summary>Bounds a run's completion when nothing waits for a heartbeat timeout.</summary>
    protected static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Bounds a run that needs a lost worker to be noticed: the default heartbeat timeout is at most 60 s.</summary>
    protected static readonly TimeSpan LostWorkerRunTimeout = TimeSpan.FromSeconds(120);

    private PrivatePostgres? _postgres;
    private ClusterTopology? _cluster;

    protected ITestOutputHelper Output { get; } = output;

    protected PrivatePostgres Postgres => _postgres ?? throw new InvalidOperationException("not initialized");

    protected ClusterTopology Cluster => _cluster ?? throw new InvalidOperationException("not initialized");

    protected string Marks => Path.Combine(Cluster.Root, "marks");

    public async Task InitializeAsync()
    {
        _postgres = await PrivatePostgres.CreateAsync();
        _cluster = await ClusterTopology.CreateAsync(_postgres, Output);
        Directory.CreateDirectory(Marks);
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
        }
    }

    /// <summary>A shell line appending "TASK try N" to the marks file "ran", so a test sees every try that ran.</summary>
    protected string MarkRan(string task) => $"echo \"{task} try $ORCHESTRATOR_TRY_NUMBER\" >> '{Path.Combine(Marks, "ran")}'";

    /// <summary>Every "TASK try N" line the tasks have marked so far.</summary>
    protected string[] RanLines() => File.Exists(Path.Combine(Marks, "ran")) ? File.ReadAllLines(Path.Combine(Marks, "ran")) : [];

    /// <summary>The worker whose process tree holds the shell whose pid is in the marks file <paramref name="pidFile"/>.</summary>
    protected async Task<OrchestratorProcess> WorkerRunningAsync(string pidFile)
    {
        var path = Path.Combine(Marks, pidFile);
        var pid = await RunWatcher.WaitUntilAsync(
            () => Task.FromResult(File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } text ? text : null),
            RunTimeout,
            () => Task.FromResult($"no task wrote its pid to {path}"));
        var shell = int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture);
        return Cluster.Workers.SingleOrDefault(w => UnixProcesses.IsDescendantOf(shell, w.Pid))
               ?? throw new InvalidOperationException($"the task's shell (pid {shell}) runs under none of the workers ({string.Join(", ", Cluster.Workers.Select(w => $"{w.Name} {w.Pid}"))})");
    }

    /// <summary>Fails with the process's last lines if it has ended (every role must ride out the fault).</summary>
    protected static void AssertAlive(OrchestratorProcess process)
    {
        ArgumentNullException.ThrowIfNull(process);
        Assert.False(process.HasExited, $"{process.Name} exited (code {process.ExitCode}):\n{process.Tail()}");
    }
}
