using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Secrets;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Storage;

namespace Orchestrator.Engine.Cluster;

/// <summary>What a worker process runs (an Options type: <c>services.AddOrchestratorWorker(o =&gt; …)</c>).</summary>
public sealed class WorkerRoleOptions
{
    public ClusterOptions Cluster { get; set; } = new();

    /// <summary>The task queues served. Default: <c>default</c>.</summary>
    public IReadOnlyList<string> Queues { get; set; } = ["default"];

    /// <summary>Tries run at once. Default: four per processor (tasks mostly wait on I/O).</summary>
    public int Concurrency { get; set; } = Environment.ProcessorCount * 4;

    /// <summary>On stop, how long running tries may go on before they are interrupted. Default: 30 s.</summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Where relative paths of tasks point (the DAG files themselves come from the store).</summary>
    public string DagsFolder { get; set; } = "";
}

/// <summary>The worker role as a hosted service: <see cref="WorkerRole"/> started with the host, stopped with it.</summary>
public sealed class WorkerRoleService(
    IOptions<WorkerRoleOptions> options, IMetadataStore store, TaskTypeRegistry registry, TimeProvider time, ILoggerFactory? loggers = null,
    ITrySecretsSource? secrets = null) : IHostedService
{
    private WorkerRole? _role;

    /// <summary>The worker while it runs; null before the host starts it and once it stops.</summary>
    public WorkerRole? Running => _role;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var logger = loggers?.CreateLogger<WorkerRole>() ?? (ILogger)NullLogger.Instance;
        _role = await WorkerRole.StartAsync(o.Cluster, o.Queues, o.Concurrency, o.StopGrace, o.DagsFolder, store, registry, time, logger, secrets, null, cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_role is { } role)
        {
            _role = null;
            await role.DisposeAsync();
        }
    }
}
