using Orchestrator.Storage;

namespace Orchestrator.Web.Metrics;

/// <summary>The store-wide counts and the pools' use, read at most once per <see cref="MaxAge"/> however many scrapes
/// come in: a scrape storm (or several Prometheus servers) costs the database one read of each per period.</summary>
internal sealed class StoreCountsCache(IMetadataStore store, TimeProvider time) : IDisposable
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _reading = new(1, 1);
    private (StoreSnapshot Snapshot, DateTimeOffset At)? _last;

    public async Task<StoreSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        if (Fresh() is { } counts)
        {
            return counts;
        }

        await _reading.WaitAsync(cancellationToken);
        try
        {
            // Scrapes that waited here get what the one before them read.
            if (Fresh() is { } read)
            {
                return read;
            }

            var now = new StoreSnapshot(await store.Counts.CountAsync(cancellationToken), await store.Pools.ListAsync(cancellationToken));
            _last = (now, time.GetUtcNow());
            return now;
        }
        finally
        {
            _reading.Release();
        }
    }

    public void Dispose() => _reading.Dispose();

    private StoreSnapshot? Fresh() =>
        _last is { } last && time.GetUtcNow() - last.At < MaxAge ? last.Snapshot : null;
}

/// <summary>What one scrape reports from the store.</summary>
internal sealed record StoreSnapshot(StateCounts Counts, IReadOnlyList<Storage.Records.PoolRecord> Pools);
