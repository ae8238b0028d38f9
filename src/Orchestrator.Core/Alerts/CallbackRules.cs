using Orchestrator.Core.Model;

namespace Orchestrator.Core.Alerts;

/// <summary>What a callback declaration may say, shared by the JSON reader and the C# builder so both refuse the same
/// things with the same words.</summary>
public static class CallbackRules
{
    /// <summary>The JSON keys of <c>"callbacks"</c>, by trigger.</summary>
    public static IReadOnlyDictionary<string, CallbackTrigger> TriggerKeys { get; } = new Dictionary<string, CallbackTrigger>(StringComparer.Ordinal)
    {
        ["onFailure"] = CallbackTrigger.Failure,
        ["onRetry"] = CallbackTrigger.Retry,
        ["onGateRejected"] = CallbackTrigger.GateRejected,
        ["onDrift"] = CallbackTrigger.Drift,
    };

    /// <summary>The keys of one target object.</summary>
    public static IReadOnlyList<string> TargetKeys { get; } = ["connection", "url", "message", "severity"];

    public static IReadOnlyList<string> Severities { get; } = ["info", "warning", "critical"];

    public static string KeyOf(CallbackTrigger trigger) => TriggerKeys.First(pair => pair.Value == trigger).Key;

    /// <summary>The problems of one target, each with the target key it concerns; empty when the target is valid.</summary>
    public static IReadOnlyList<(string Key, string Problem)> Explain(CallbackTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var problems = new List<(string, string)>();
        if (target.Connection is not null && target.Url is not null)
        {
            problems.Add(("url", "give either 'connection' or 'url', not both"));
        }

        if (target.Connection is { } connection && string.IsNullOrWhiteSpace(connection))
        {
            problems.Add(("connection", "expected the name of a Connection, found an empty string"));
        }

        if (target.Url is { } url && ExplainUrl(url) is { } urlProblem)
        {
            problems.Add(("url", urlProblem));
        }

        if (!Severities.Contains(target.Severity))
        {
            problems.Add(("severity", $"unknown severity '{target.Severity}'; expected one of {string.Join(", ", Severities)}"));
        }

        if (target.Message is { } message && CallbackMessage.Explain(message) is { } messageProblem)
        {
            problems.Add(("message", messageProblem));
        }

        return problems;
    }

    /// <summary>Why <paramref name="url"/> is not an absolute http(s) URL, or null when it is.</summary>
    public static string? ExplainUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0
            ? null
            : $"'{url}' is not an absolute http or https URL (e.g. \"https://hooks.example.com/alerts\")";
}
