namespace Orchestrator.Alerting.Webhooks;

/// <summary>How hard the sender tries. Defaults: 10 s per attempt, 3 retries from 1 s doubling with jitter.</summary>
public sealed class WebhookOptions
{
    /// <summary>Cancels one attempt that takes longer (then it may be retried).</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt, on 5xx, 408, 429, network errors and timeouts; never on other 4xx.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay; later ones double it, each randomised (jitter) so many senders spread out.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The orchestrator's public address (e.g. https://orchestrator.example.com); when set, each alert's body
    /// carries <c>"link"</c> to its API answer.</summary>
    public Uri? PublicUrl { get; set; }
}
