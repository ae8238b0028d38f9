namespace Orchestrator.Storage;

/// <summary>Wake-ups between the processes sharing a store: a worker that reported a try wakes the schedulers at once
/// instead of leaving them to their next poll. A signal carries nothing and may be lost or merged with another: it
/// only says "look now", so every listener also polls (and looks once after each reconnection).</summary>
public interface IStoreSignals
{
    /// <summary>Tells every process subscribed to <paramref name="channel"/> (this one included) to look now.</summary>
    Task NotifyAsync(string channel, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="onSignal"/> (on a background thread, never concurrently with itself) on each
    /// signal of <paramref name="channel"/>; disposing the result stops it.</summary>
    IDisposable Subscribe(string channel, Action onSignal);
}

public static class StoreSignalsExtensions
{
    /// <summary>Signals <paramref name="channel"/> where a lost signal only delays the listeners until their poll: a
    /// failure (the database away) is swallowed. False when the signal could not be sent.</summary>
    public static async Task<bool> TryNotifyAsync(this IStoreSignals signals, string channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(signals);
        try
        {
            await signals.NotifyAsync(channel, cancellationToken);
            return true;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            return false;
        }
    }
}
