using Microsoft.Extensions.Logging;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Cluster;

/// <summary>A worker process's heartbeat: registers it, then every <see cref="ClusterOptions.RenewInterval"/> extends the
/// lease of every try it runs. A try the store no longer shows as this worker's (a scheduler recorded it lost while
/// the heartbeat could not get through) is stopped here: a task never runs twice at once.</summary>
internal sealed class WorkerHeartbeat(IMetadataStore store, ClusterTaskWorker worker, WorkerRecord registration, ClusterOptions options, TimeProvider time, ILogger logger)
    : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _failuresInARow;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.Workers.RegisterAsync(registration, cancellationToken);
        _loop = Task.Run(LoopAsync, CancellationToken.None);
    }

    /// <summary>One heartbeat: public for tests that drive time themselves.</summary>
    public async Task BeatAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (await store.Workers.HeartbeatAsync(worker.WorkerId, now, now + options.LeaseTimeout, cancellationToken) is null)
        {
            await store.Workers.RegisterAsync(registration with { HeartbeatAt = now, StoppedAt = null }, cancellationToken);
            await store.Workers.HeartbeatAsync(worker.WorkerId, now, now + options.LeaseTimeout, cancellationToken);
        }

        foreach (var (run, task, tryNumber) in worker.Running)
        {
            var tries = await store.TaskInstances.ListTriesAsync(run, task, cancellationToken);
            if (tries.FirstOrDefault(t => t.TryNumber == tryNumber) is { EndedAt: not null })
            {
                worker.AbandonLost(run, task, tryNumber);
            }
        }
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(options.RenewInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    await BeatAsync(_stop.Token);
                    if (_failuresInARow > 0)
                    {
                        logger.LogInformation("Worker {Worker}: heartbeat back after {Failures} failed attempt(s)", worker.WorkerId, _failuresInARow);
                    }

                    _failuresInARow = 0;
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    _failuresInARow++;
                    logger.LogWarning("Worker {Worker}: heartbeat failed ({Failures} in a row: {Error}); tries keep running, and are recorded lost if this lasts past the lease of {Lease}",
                        worker.WorkerId, _failuresInARow, exception.Message, options.LeaseTimeout);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
