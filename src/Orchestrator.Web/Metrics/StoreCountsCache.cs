using Orchestrator.Storage;

namespace Orchestrator.Web.Metrics;

/// <summary>The store-wide counts, read at most once per <see cref="MaxAge"/> however many scrapes come in: a
/// scrape storm (or several Prometheus servers) costs the database one query per period.</summary>
internal sealed class StoreCountsCache(IMetadataStore store, TimeProvider time) : IDisposable
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _reading = new(1, 1);
    private (StateCounts Counts, DateTimeOffset At)? _last;

    public async Task<StateCounts> GetAsync(CancellationToken cancellationToken)
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

            var now = await store.Counts.CountAsync(cancellationToken);
            _last = (now, time.GetUtcNow());
            return now;
        }
        finally
        {
            _reading.Release();
        }
    }

    public void Dispose() => _reading.Dispose();

    private StateCounts? Fresh() =>
        _last is { } last && time.GetUtcNow() - last.At < MaxAge ? last.Counts : null;
}
