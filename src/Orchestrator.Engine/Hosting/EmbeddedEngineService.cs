using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Storage;

namespace Orchestrator.Engine.Hosting;

/// <summary>The embedded engine as a hosted service: started with the host (before its web server), stopped with it
/// (after the web server; running tries get <see cref="EngineOptions.StopGrace"/>). <see cref="Engine"/> is there for
/// endpoints such as <c>/health</c> once the host has started.</summary>
public sealed class EmbeddedEngineService(
    IOptions<EngineOptions> options, IMetadataStore store, TaskTypeRegistry registry, TimeProvider time, ILoggerFactory? loggers = null) : IHostedService
{
    private EmbeddedEngine? _engine;

    public EmbeddedEngine Engine => _engine ?? throw new InvalidOperationException("the engine has not started (the host is not running)");

    /// <summary>The engine while it runs; null before the host starts it and once it stops.</summary>
    public EmbeddedEngine? Running => _engine;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var logger = loggers?.CreateLogger<EmbeddedEngine>() ?? (ILogger)NullLogger.Instance;
        _engine = await EmbeddedEngine.StartAsync(options.Value, store, registry, time, logger, cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The engine's stop grace is its own (the host's shutdown timeout is set above it): a commit, once begun, ends.
        if (_engine is { } engine)
        {
            _engine = null;
            await engine.DisposeAsync();
        }
    }
}
