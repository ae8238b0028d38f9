using System.Collections.Concurrent;

namespace Orchestrator.Storage.Sql;

/// <summary>Signals within one process: enough for a store only one process writes (the embedded SQLite store).</summary>
internal sealed class InProcessSignals : IStoreSignals
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Subscription, byte>> _channels = new(StringComparer.Ordinal);

    public Task NotifyAsync(string channel, CancellationToken cancellationToken)
    {
        if (_channels.TryGetValue(channel, out var subscribers))
        {
            foreach (var subscriber in subscribers.Keys)
            {
                subscriber.Signal();
            }
        }

        return Task.CompletedTask;
    }

    public IDisposable Subscribe(string channel, Action onSignal)
    {
        var subscription = new Subscription(onSignal, this, channel);
        _channels.GetOrAdd(channel, _ => new()).TryAdd(subscription, 0);
        return subscription;
    }

    private sealed class Subscription(Action onSignal, InProcessSignals owner, string channel) : IDisposable
    {
        private readonly SemaphoreSlim _one = new(1, 1);

        public void Signal() => _ = Task.Run(async () =>
        {
            await _one.WaitAsync();
            try
            {
                onSignal();
            }
            finally
            {
                _one.Release();
            }
        });

        public void Dispose()
        {
            if (owner._channels.TryGetValue(channel, out var subscribers))
            {
                subscribers.TryRemove(this, out _);
            }
        }
    }
}
