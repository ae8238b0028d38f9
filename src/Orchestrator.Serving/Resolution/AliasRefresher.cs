using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orchestrator.Serving.Resolution;

/// <summary>Re-reads the served aliases every <see cref="ModelServingOptions.AliasRefreshInterval"/> (from the
/// TimeProvider), so alias moves made by other processes (a distributed worker's deploy, the CLI) are served within
/// one interval, and idle versions are released.</summary>
internal sealed class AliasRefresher(ServedModels models, IOptions<ModelServingOptions> options, TimeProvider time, ILogger<AliasRefresher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.AliasRefreshInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await models.RefreshAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Model serving: alias refresh failed; retrying at the next interval");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }
}
