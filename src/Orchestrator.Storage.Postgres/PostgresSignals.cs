using Npgsql;

namespace Orchestrator.Storage.Postgres;

/// <summary>Wake-ups through PostgreSQL's LISTEN/NOTIFY, so every process on the database hears them. Channels are
/// named after the store's schema, so two stores in one database do not wake each other. A subscription keeps one
/// connection listening; when it breaks (the database restarting) it reconnects with a growing pause, and signals
/// once on each reconnection, since something may have happened meanwhile.</summary>
/// <remarks>Notifying uses the store's pool; listening uses <paramref name="listenSource"/>, whose connections are reset
/// when given back, so a closed subscription's channels never linger on a connection someone else gets.</remarks>
internal sealed class PostgresSignals(NpgsqlDataSource dataSource, NpgsqlDataSource listenSource, string schema) : IStoreSignals
{
    public async Task NotifyAsync(string channel, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT pg_notify(@channel, '')", connection);
        command.Parameters.AddWithValue("channel", ChannelName(channel));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public IDisposable Subscribe(string channel, Action onSignal) => new Listener(listenSource, ChannelName(channel), onSignal);

    private string ChannelName(string channel)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(channel);
        var name = $"{schema}_{channel}".ToLowerInvariant();
        return name.Length <= 63 ? name : throw new ArgumentException($"channel '{name}' is longer than PostgreSQL's 63 characters", nameof(channel));
    }

    private sealed class Listener : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Action _onSignal;
        private readonly SemaphoreSlim _one = new(1, 1);
        private int _pending;

        public Listener(NpgsqlDataSource dataSource, string channel, Action onSignal)
        {
            _onSignal = onSignal;
            _ = Task.Run(() => ListenAsync(dataSource, channel));
        }

        private async Task ListenAsync(NpgsqlDataSource dataSource, string channel)
        {
            var pause = TimeSpan.FromMilliseconds(100);
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    await using var connection = await dataSource.OpenConnectionAsync(_stop.Token);
                    connection.Notification += (_, _) => Signal();
                    await using (var listen = new NpgsqlCommand($"LISTEN \"{channel}\"", connection))
                    {
                        await listen.ExecuteNonQueryAsync(_stop.Token);
                    }

                    pause = TimeSpan.FromMilliseconds(100);
                    Signal(); // whatever happened while not listening
                    while (true)
                    {
                        await connection.WaitAsync(_stop.Token);
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception) when (exception is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
                {
                    // The database is unreachable or restarting: the listeners' own polls carry on meanwhile.
                    try
                    {
                        await Task.Delay(pause, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }

                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
                }
            }
        }

        /// <summary>Runs the callback once for any number of signals that arrive while it is already due.</summary>
        private void Signal()
        {
            if (Interlocked.Exchange(ref _pending, 1) == 1)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                await _one.WaitAsync();
                try
                {
                    Volatile.Write(ref _pending, 0);
                    _onSignal();
                }
                finally
                {
                    _one.Release();
                }
            });
        }

        public void Dispose() => _stop.Cancel();
    }
}
