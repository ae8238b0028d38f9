using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Alerting.Webhooks;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Alerting.Dispatch;

/// <summary>Sends the alerts waiting in the store's outbox (up to 16 at once, taken oldest first) and records how each went. Pending alerts
/// survive a restart (they are picked up at start); <see cref="Wake"/> makes a new one go out without waiting for the
/// next poll. An alert interrupted by shutdown stays pending and is sent again at the next start (at least once).</summary>
public sealed partial class AlertDispatcher(IMetadataStore store, WebhookSender sender, TimeProvider time, ILogger<AlertDispatcher> logger) : BackgroundService
{
    /// <summary>How often the outbox is read when nobody calls <see cref="Wake"/>.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private const int BatchSize = 50;

    /// <summary>Only the process holding this lease sends: several web servers on one store (a cluster) must not send
    /// an alert twice. Another takes over within <see cref="LeaseTimeout"/> when the holder stops or dies.</summary>
    public const string LeaseName = "alerts/dispatcher";

    public static readonly TimeSpan LeaseTimeout = TimeSpan.FromSeconds(30);

    private readonly string _owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";
    private TaskCompletionSource _wake = NewSignal();

    private const int MaxParallelSends = 16;
    private readonly Lock _dispatchedGate = new();

    /// <summary>Called after each delivery is recorded (tests wait on it instead of on time).</summary>
    internal event Action<AlertRecord>? Dispatched;

    /// <summary>Reads the outbox now (e.g. after a batch recorded alerts).</summary>
    public void Wake()
    {
        Volatile.Read(ref _wake).TrySetResult();
    }

    /// <summary>Sends every alert pending now; returns how many were tried.</summary>
    public async Task<int> DispatchPendingAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var pending = await store.Alerts.ListPendingAsync(BatchSize, cancellationToken);
            // In parallel: a webhook that times out (and its retries) must not hold up a critical alert to another one.
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelSends, CancellationToken = cancellationToken },
                async (alert, token) =>
                {
                    var result = await sender.SendAsync(alert, token);
                    var state = result.Delivered ? AlertState.Sent : AlertState.Failed;
                    // Recorded even when stopping: the webhook has answered, so sending again would duplicate it.
                    await store.Alerts.MarkAsync(alert.Id, state, alert.Attempts + result.Attempts, result.Error, time.GetUtcNow(), CancellationToken.None);
                    lock (_dispatchedGate)
                    {
                        Dispatched?.Invoke(alert with { State = state, Attempts = alert.Attempts + result.Attempts, LastError = result.Error });
                    }
                });

            total += pending.Count;
            if (pending.Count < BatchSize)
            {
                return total;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken before the pass, so a Wake() during it causes another pass instead of being lost.
            var wake = Volatile.Read(ref _wake);
            try
            {
                var now = time.GetUtcNow();
                if (await store.Leases.TryAcquireAsync(LeaseName, _owner, now, now + LeaseTimeout, stoppingToken) is not null)
                {
                    await DispatchPendingAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The store may be briefly unavailable; the next pass tries again.
                LogPassFailed(logger, e);
            }

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var poll = Task.Delay(PollInterval, time, stop.Token);
            await Task.WhenAny(wake.Task, poll);
            await stop.CancelAsync();
            if (wake.Task.IsCompleted)
            {
                Interlocked.CompareExchange(ref _wake, NewSignal(), wake);
            }
        }
    }

    /// <summary>Stops sending and gives the lease up, so another process's dispatcher takes over at once.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            if (await store.Leases.GetAsync(LeaseName, cancellationToken) is { } lease && lease.Owner == _owner)
            {
                await store.Leases.ReleaseAsync(lease, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            LogPassFailed(logger, e); // the lease runs out by itself
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert dispatch pass failed; retrying at the next poll")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
