using Microsoft.Extensions.Logging;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Cluster;

/// <summary>The dispatcher's view of which queues some live worker serves, asked only when tries of a queue sat
/// unclaimed past the fallback delay. A queue no live worker serves gets no Hangfire job: every worker registers in
/// the store before its claimer starts, and the claimer polls at once on start, so the tries wait in the store and the
/// first worker of that queue takes them; a job would only duplicate that (one more per scheduler restart or
/// takeover, which dispatches the queued tries again). The operator is told once per queue, until a live worker of
/// it is seen again. Misjudging is harmless either way: workers' polls claim from the store regardless.</summary>
internal sealed class UnservedQueues(
    Func<CancellationToken, Task<IReadOnlyList<WorkerRecord>>> listWorkers, TimeSpan leaseTimeout, TimeProvider time, ILogger logger)
{
    private readonly HashSet<string> _unserved = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Live: not stopped, and its heartbeat lease (<paramref name="leaseTimeout"/> from its last heartbeat,
    /// as the worker itself extends its tries' leases) not run out at <paramref name="now"/>.</summary>
    public static bool IsLive(WorkerRecord worker, DateTimeOffset now, TimeSpan leaseTimeout) =>
        worker.StoppedAt is null && worker.HeartbeatAt + leaseTimeout > now;

    /// <summary>Whether some worker of <paramref name="workers"/> live at <paramref name="now"/> serves <paramref name="queue"/>.</summary>
    public static bool IsServed(string queue, IEnumerable<WorkerRecord> workers, DateTimeOffset now, TimeSpan leaseTimeout) =>
        workers.Any(w => IsLive(w, now, leaseTimeout) && w.Queues.Contains(queue, StringComparer.Ordinal));

    /// <summary>Reads the workers and says whether a live one serves <paramref name="queue"/>, where
    /// <paramref name="waiting"/> tries have not been claimed. Warns the first time a queue is found unserved, and
    /// again only after a live worker of it was seen in between.</summary>
    public async Task<bool> IsServedAsync(string queue, int waiting, CancellationToken cancellationToken)
    {
        var workers = await listWorkers(cancellationToken);
        var served = IsServed(queue, workers, time.GetUtcNow(), leaseTimeout);
        bool changed;
        lock (_gate)
        {
            changed = served ? _unserved.Remove(queue) : _unserved.Add(queue);
        }

        if (!changed)
        {
            if (!served)
            {
                logger.LogDebug("Still no live worker serves queue '{Queue}': {Count} more tries wait in the store", queue, waiting);
            }
        }
        else if (served)
        {
            logger.LogInformation("Queue '{Queue}' has a live worker again", queue);
        }
        else
        {
            logger.LogWarning("No live worker serves queue '{Queue}': {Count} tries wait in the store until one starts ({StartOne})",
                queue, waiting, $"orchestrator worker --queues {queue}");
        }

        return served;
    }
}
