namespace Orchestrator.Engine.Hosting;

/// <summary>How the embedded engine runs (an Options type: <c>services.AddOrchestratorEngine(o =&gt; …)</c>). Read at start.</summary>
public sealed class EngineOptions
{
    /// <summary>The DAG folder the engine reads and watches. Required.</summary>
    public string DagsFolder { get; set; } = "";

    /// <summary>Tasks run at once. Default: four per processor (tasks mostly wait on I/O).</summary>
    public int Workers { get; set; } = Environment.ProcessorCount * 4;

    /// <summary>Safety-net rescan of the DAG folder (the watcher usually reacts sooner). Default: 2 s.</summary>
    public TimeSpan RescanPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often runs queued by other processes (the CLI) are looked for. Default: 1 s.</summary>
    public TimeSpan RunPickupPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>On stop, how long running tries may go on before they are interrupted (SIGTERM to a shell's process
    /// group, then SIGKILL) and recorded as interrupted, to run again at the next start. Default: 30 s.</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Stops what a try that was running when the engine died left behind, before its retry. Default: the
    /// registered <see cref="Runs.ILostTryCleaner"/> when hosted, else none.</summary>
    public Runs.ILostTryCleaner? LostTries { get; set; }

    /// <summary>Each try's Variables, Connections and secret masker. Default: the registered
    /// <see cref="Core.Secrets.ITrySecretsSource"/> when hosted, else none.</summary>
    public Core.Secrets.ITrySecretsSource? Secrets { get; set; }

    /// <summary>Where the engine's instruments are recorded. Default: the registered
    /// <see cref="Telemetry.EngineMetrics"/> when hosted, else none.</summary>
    public Telemetry.EngineMetrics? Metrics { get; set; }

    /// <summary>Null (the default): the embedded engine, whose workers run in this process. Set: this process is one
    /// scheduler of a cluster on PostgreSQL (<c>orchestrator scheduler</c>): tries go through Hangfire's PostgreSQL
    /// storage to worker processes, runs are driven under leases, and their reports come back through the store.</summary>
    public Cluster.ClusterOptions? Cluster { get; set; }

    /// <summary>Caps on each try's log lines, log and output. Default: <see cref="Core.Authoring.LogLimits.Default"/>.</summary>
    public Core.Authoring.LogLimits? LogLimits { get; set; }
}
