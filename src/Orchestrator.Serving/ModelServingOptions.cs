namespace Orchestrator.Serving;

/// <summary>Limits and timings of the scoring endpoints (<c>AddModelServing(options => ...)</c>).</summary>
public sealed class ModelServingOptions
{
    /// <summary>Largest request body accepted; a bigger one is answered 413.</summary>
    public long MaxRequestBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Most rows scored in one request; more are answered 413.</summary>
    public int MaxRows { get; set; } = 10_000;

    /// <summary>The alias served when a request names neither <c>?alias=</c> nor <c>?version=</c>.</summary>
    public string DefaultAlias { get; set; } = "production";

    /// <summary>How often the served aliases are re-read from the registry (moves made by other processes show up
    /// within this; in-process deploys switch at once through <c>IModelDeploymentNotifier</c>).</summary>
    public TimeSpan AliasRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A loaded version no alias points at is released after going this long without a request (and only
    /// once the requests holding it have finished).</summary>
    public TimeSpan IdleModelRelease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Share of scoring requests whose rows the inference log keeps (0..1, decided per request); 0 turns the
    /// log off. Needs an <c>IInferenceLogStore</c> in the host; without one nothing is logged.</summary>
    public double InferenceLogSampling { get; set; } = 1.0;

    /// <summary>Sampled requests waiting to be written at most; beyond this they are dropped (counted and warned
    /// about), never waited on.</summary>
    public int InferenceLogQueueCapacity { get; set; } = 10_000;

    /// <summary>Most rows written in one transaction.</summary>
    public int InferenceLogBatchSize { get; set; } = 2_000;

    /// <summary>How long the writer waits for a full batch before writing what is queued (a flush, as feedback
    /// does, writes at once). Longer means fewer, larger transactions; the queue must hold this long's requests.</summary>
    public TimeSpan InferenceLogFlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Logged rows older than this are deleted by the periodic prune.</summary>
    public TimeSpan InferenceLogMaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Each model keeps at most this many logged rows (its newest); the periodic prune deletes the rest.</summary>
    public int InferenceLogMaxRowsPerModel { get; set; } = 1_000_000;

    /// <summary>How often retention (max age, max rows per model) is applied.</summary>
    public TimeSpan InferenceLogPruneInterval { get; set; } = TimeSpan.FromMinutes(10);

    internal void Validate()
    {
        if (double.IsNaN(InferenceLogSampling) || InferenceLogSampling is < 0 or > 1)
        {
            throw new InvalidOperationException($"Model serving: InferenceLogSampling must be a share from 0 to 1; got {InferenceLogSampling}");
        }

        if (InferenceLogQueueCapacity <= 0 || InferenceLogBatchSize <= 0 || InferenceLogMaxRowsPerModel <= 0)
        {
            throw new InvalidOperationException("Model serving: InferenceLogQueueCapacity, InferenceLogBatchSize and InferenceLogMaxRowsPerModel must be positive");
        }

        if (InferenceLogMaxAge <= TimeSpan.Zero || InferenceLogPruneInterval <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("Model serving: InferenceLogMaxAge and InferenceLogPruneInterval must be positive");
        }

        if (InferenceLogFlushInterval < TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Model serving: InferenceLogFlushInterval must be zero or positive; got {InferenceLogFlushInterval}");
        }

        if (MaxRequestBytes <= 0 || MaxRows <= 0)
        {
            throw new InvalidOperationException("Model serving: MaxRequestBytes and MaxRows must be positive");
        }

        if (AliasRefreshInterval <= TimeSpan.Zero || IdleModelRelease < TimeSpan.Zero)
        {
            throw new InvalidOperationException("Model serving: AliasRefreshInterval must be positive and IdleModelRelease not negative");
        }

        if (string.IsNullOrWhiteSpace(DefaultAlias))
        {
            throw new InvalidOperationException("Model serving: DefaultAlias must not be empty");
        }
    }
}
