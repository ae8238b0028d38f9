namespace Orchestrator.Alerting.Webhooks;

/// <summary>How a delivery went: delivered or not, after how many attempts, and the last error (masked).</summary>
public sealed record WebhookResult(bool Delivered, int Attempts, string? Error);
