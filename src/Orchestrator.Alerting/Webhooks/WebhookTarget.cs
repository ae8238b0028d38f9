using System.Text.Json;
using Orchestrator.Core.Alerts;
using Orchestrator.Core.Secrets;

namespace Orchestrator.Alerting.Webhooks;

/// <summary>Where an alert goes, as stored on it (<c>{"connection":"NAME"}</c> or <c>{"url":"…"}</c>).</summary>
public sealed record WebhookTarget(string? Connection, string? Url)
{
    public static WebhookTarget Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        string? Read(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
        var target = new WebhookTarget(Read("connection"), Read("url"));
        return (target.Connection is null) != (target.Url is null)
            ? target
            : throw new FormatException("an alert target is {\"connection\": NAME} or {\"url\": URL}");
    }

    /// <summary>The URL and headers a Connection means: <c>host</c> (a full http(s) URL, or a host name with an optional
    /// path), <c>schema</c> the scheme (http or https; default https, as in Airflow's HTTP connection), <c>port</c>;
    /// <c>password</c> becomes <c>Authorization: Bearer PASSWORD</c>; each extra entry a request header.</summary>
    public static (Uri Url, IReadOnlyList<KeyValuePair<string, string>> Headers) FromConnection(string name, ConnectionValues connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var host = connection.Host?.Trim();
        if (string.IsNullOrEmpty(host))
        {
            throw new WebhookConfigurationException($"connection '{name}' has no host (the webhook's address)");
        }

        var hasScheme = host.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || host.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        var scheme = string.IsNullOrWhiteSpace(connection.Schema) ? "https" : connection.Schema.Trim().ToLowerInvariant();
        if (!hasScheme && scheme is not ("http" or "https"))
        {
            throw new WebhookConfigurationException($"connection '{name}': schema '{connection.Schema}' is not http or https");
        }

        if (!Uri.TryCreate(hasScheme ? host : $"{scheme}://{host}", UriKind.Absolute, out var uri))
        {
            throw new WebhookConfigurationException($"connection '{name}': host '{host}' does not make a URL");
        }

        if (connection.Port is { } port)
        {
            uri = new UriBuilder(uri) { Port = port }.Uri;
        }

        var headers = new List<KeyValuePair<string, string>>();
        if (!string.IsNullOrEmpty(connection.Password))
        {
            headers.Add(new("Authorization", $"Bearer {connection.Password}"));
        }

        headers.AddRange(connection.Extra ?? new Dictionary<string, string>());
        return (uri, headers);
    }
}

/// <summary>A target that cannot work as configured (no such Connection, no host, bad URL): retrying will not help.</summary>
public sealed class WebhookConfigurationException : Exception
{
    public WebhookConfigurationException(string message) : base(message)
    {
    }

    public WebhookConfigurationException()
    {
    }

    public WebhookConfigurationException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
