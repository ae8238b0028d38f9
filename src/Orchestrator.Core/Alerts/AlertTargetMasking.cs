using System.Text.Json;
using Orchestrator.Core.Model;

namespace Orchestrator.Core.Alerts;

/// <summary>An alert's stored target as pages and API answers show it: a URL's query values and user info masked
/// (a webhook URL often carries its token there); a Connection name as is.</summary>
public static class AlertTargetMasking
{
    public static string? Mask(string? targetJson)
    {
        if (targetJson is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(targetJson);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String)
            {
                return CallbackAlerts.TargetJson(new CallbackTarget(Url: MaskUrl(url.GetString()!)));
            }

            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("connection", out var connection) && connection.ValueKind == JsonValueKind.String
                ? CallbackAlerts.TargetJson(new CallbackTarget(Connection: connection.GetString()))
                : "\"***\"";
        }
        catch (JsonException)
        {
            return "\"***\"";
        }
    }

    /// <summary>The URL with each query value (and any user info) replaced by ***, without its fragment.</summary>
    public static string MaskUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "***";
        }

        var authority = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        var query = uri.Query.Length > 1 ? "?" + string.Join('&', uri.Query[1..].Split('&').Select(pair => pair.Split('=', 2)[0] + "=***")) : "";
        return $"{uri.Scheme}://{(uri.UserInfo.Length > 0 ? "***@" : "")}{authority}{uri.AbsolutePath}{query}";
    }
}
