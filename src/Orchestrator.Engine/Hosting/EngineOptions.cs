namespace Orchestrator.Engine.Hosting;

/// <summary>How the embedded engine runs. Copied at start.</summary>
public sealed class EngineOptions
{
    public required string DagsFolder { get; init; }

    /// <summary>Tasks run at once. Default: four per processor (tasks mostly wait on I/O).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount * 4;

    /// <summary>Safety-net rescan of the DAG folder (the watcher usually reacts sooner). Default: 2 s.</summary>
    public TimeSpan RescanPeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often runs queued by other processes (the CLI) are looked for. Default: 1 s.</summary>
    public TimeSpan RunPickupPeriod { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>On stop, how long running tries may go on before they are interrupted (SIGTERM to a shell's process
    /// group, then SIGKILL) and recorded as interrupted, to run again at the next start. Default: 30 s.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Stops what a try that was running when the engine died left behind, before its retry. Default: none.</summary>
    public Runs.ILostTryCleaner? LostTries { get; init; }

    /// <summary>Each try's Variables, Connections and secret masker. Default: none.</summary>
    public Core.Secrets.ITrySecretsSource? Secrets { get; init; }

    /// <summary>Caps on each try's log lines, log and output. Default: <see cref="Execution.Logs.LogLimits.Default"/>.</summary>
    public Execution.Logs.LogLimits? LogLimits { get; init; }
}
