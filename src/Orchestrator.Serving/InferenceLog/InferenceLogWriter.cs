using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Storage.Records;

namespace Orchestrator.Serving.InferenceLog;

/// <summary>Drains the inference log queue into the store, a batch (up to <see cref="ModelServingOptions.InferenceLogBatchSize"/>
/// rows) per transaction, once a full batch is queued, someone flushes (feedback), or
/// <see cref="ModelServingOptions.InferenceLogFlushInterval"/> has passed since the first queued request; and applies retention every
/// <see cref="ModelServingOptions.InferenceLogPruneInterval"/>. On shutdown it writes what is still queued.</summary>
internal sealed partial class InferenceLogWriter(
    InferenceLogQueue queue, IOptions<ModelServingOptions> options, TimeProvider time, ILogger<InferenceLogWriter> logger) : BackgroundService
{
    private readonly ModelServingOptions _options = options.Value;
    private readonly InferenceRows _rows = new();
    private readonly List<InferenceRecord> _batch = [];

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (queue.Store is null)
        {
            return Task.CompletedTask;
        }

        // Retention applies even with sampling 0: rows logged before still age out.
        return Task.WhenAll(queue.Enabled ? DrainAsync(stoppingToken) : Task.CompletedTask, PruneLoopAsync(stoppingToken));
    }

    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        var reader = queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await queue.LingerAsync(_options.InferenceLogFlushInterval, time, stoppingToken);
                await WriteBatchAsync(CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Stopping: what is queued is bounded by the queue's capacity; write it rather than lose it.
        while (reader.TryPeek(out _))
        {
            await WriteBatchAsync(CancellationToken.None);
        }
    }

    /// <summary>Takes whatever is queued, up to a batch, and appends it in one transaction.</summary>
    internal async Task WriteBatchAsync(CancellationToken cancellationToken)
    {
        _batch.Clear();
        var requests = 0;
        while (_batch.Count < _options.InferenceLogBatchSize && queue.Reader.TryRead(out var request))
        {
            _rows.AddTo(_batch, request);
            requests++;
        }

        if (requests == 0)
        {
            return;
        }

        try
        {
            await queue.Store!.AppendAsync(_batch, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The store is down or refused the batch: these rows are lost, serving goes on.
            LogWriteFailed(e, _batch.Count);
        }
        finally
        {
            queue.Finished(requests);
        }
    }

    private async Task PruneLoopAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(_options.InferenceLogPruneInterval, time, stoppingToken);
                await PruneAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Deletes rows older than the maximum age, then each model's oldest beyond the row cap.</summary>
    internal async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await queue.Store!.PruneAsync(time.GetUtcNow() - _options.InferenceLogMaxAge, _options.InferenceLogMaxRowsPerModel, cancellationToken);
            if (deleted > 0)
            {
                LogPruned(deleted);
            }

            return deleted;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogPruneFailed(e);
            return 0;
        }
    }

    public override void Dispose()
    {
        _rows.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Inference log: writing {Rows} rows failed; they are lost (scoring is unaffected)")]
    private partial void LogWriteFailed(Exception error, int rows);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inference log: retention deleted {Rows} rows")]
    private partial void LogPruned(int rows);

    [LoggerMessage(Level = LogLevel.Error, Message = "Inference log: retention failed; it is tried again at the next interval")]
    private partial void LogPruneFailed(Exception error);
}
