using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Storage;

namespace Orchestrator.Serving.InferenceLog;

/// <summary>The hand-off between the scoring endpoint and the inference log writer: a bounded in-memory queue of
/// sampled requests. Enqueueing never waits: when the queue is full the request is dropped, counted
/// (<see cref="Dropped"/>, meter <c>Orchestrator.Serving</c> / <c>inference_log.dropped</c>) and warned about, and the
/// caller's answer is not affected. Off (<see cref="Enabled"/> false) without a store or with sampling 0.</summary>
internal sealed partial class InferenceLogQueue : IDisposable
{
    public const string MeterName = "Orchestrator.Serving";

    // One warning per this many drops at most, so a sustained overload cannot flood the log.
    private const long WarnEvery = 1000;

    private readonly Channel<LoggedRequest> _channel;
    private readonly IInferenceSampler _sampler;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly Counter<long> _droppedCounter;
    private readonly Lock _waitersGate = new();
    private readonly List<(long Target, TaskCompletionSource Done)> _waiters = [];
    private readonly long _wakeAt;
    private TaskCompletionSource? _wake; // set while the writer lingers for a fuller batch
    private long _accepted;
    private long _finished;
    private long _dropped;

    public InferenceLogQueue(IOptions<ModelServingOptions> options, IInferenceSampler sampler, ILogger<InferenceLogQueue> logger, IInferenceLogStore? store = null)
    {
        var settings = options.Value;
        Store = store;
        Enabled = store is not null && settings.InferenceLogSampling > 0;
        _sampler = sampler;
        _logger = logger;
        _channel = Channel.CreateBounded<LoggedRequest>(new BoundedChannelOptions(settings.InferenceLogQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // with TryWrite: refused, never waited on
            SingleReader = true,
        });
        _wakeAt = settings.InferenceLogBatchSize;
        _meter = new Meter(MeterName);
        _droppedCounter = _meter.CreateCounter<long>("inference_log.dropped", "{request}", "Sampled requests the inference log dropped because its queue was full");
    }

    /// <summary>Where the writer puts the rows; null when this server logs nothing.</summary>
    public IInferenceLogStore? Store { get; }

    public bool Enabled { get; }

    /// <summary>Sampled requests dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Requests queued and not yet written (or given up on).</summary>
    public long Pending => Interlocked.Read(ref _accepted) - Interlocked.Read(ref _finished);

    public ChannelReader<LoggedRequest> Reader => _channel.Reader;

    /// <summary>Whether this request's rows should be kept (one decision per request).</summary>
    public bool ShouldLog() => Enabled && _sampler.Sample();

    public void Enqueue(LoggedRequest request)
    {
        // Counted before the write, so a flush begun after this returns waits for it.
        var accepted = Interlocked.Increment(ref _accepted);
        if (_channel.Writer.TryWrite(request))
        {
            if (accepted - Interlocked.Read(ref _finished) >= _wakeAt)
            {
                Volatile.Read(ref _wake)?.TrySetResult(); // a full batch is waiting: no need to linger
            }

            return;
        }

        Interlocked.Decrement(ref _accepted);
        var dropped = Interlocked.Increment(ref _dropped);
        _droppedCounter.Add(1);
        if (dropped % WarnEvery == 1)
        {
            LogDropped(dropped, request.Model.Name);
        }
    }

    /// <summary>Completes once every request queued before the call has been written (or given up on).</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _accepted);
        lock (_waitersGate)
        {
            if (Interlocked.Read(ref _finished) >= target)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((target, done));
            _wake?.TrySetResult(); // someone waits for the rows: write them now
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Completes when a full batch is queued, someone flushes, or <paramref name="linger"/> has passed,
    /// whichever comes first: the writer waits here so that one transaction carries many requests (a commit and a
    /// connection per few rows would cost more than the rows).</summary>
    public async Task LingerAsync(TimeSpan linger, TimeProvider time, CancellationToken cancellationToken)
    {
        var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waitersGate)
        {
            if (_waiters.Count > 0 || Pending >= _wakeAt)
            {
                return;
            }

            Volatile.Write(ref _wake, wake);
        }

        // Enqueue may have filled the batch between the look above and publishing the signal: look again.
        if (Pending >= _wakeAt)
        {
            wake.TrySetResult();
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await Task.WhenAny(wake.Task, Task.Delay(linger, time, stop.Token));
        }
        finally
        {
            stop.Cancel();
            lock (_waitersGate)
            {
                _wake = null;
            }
        }
    }

    /// <summary>The writer is done with <paramref name="count"/> more requests (written or lost).</summary>
    public void Finished(int count)
    {
        var finished = Interlocked.Add(ref _finished, count);
        lock (_waitersGate)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Target <= finished)
                {
                    _waiters[i].Done.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    public void Dispose() => _meter.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inference log: the queue is full, {Dropped} sampled requests dropped so far (latest for model '{Model}'); scoring is unaffected. Lower the sampling rate or raise the queue capacity.")]
    private partial void LogDropped(long dropped, string model);
}
