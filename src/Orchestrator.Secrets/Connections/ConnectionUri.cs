using System.Globalization;
using Orchestrator.Core.Secrets;

namespace Orchestrator.Secrets.Connections;

/// <summary>Airflow's connection URI: <c>type://login:password@host:port/schema?key=value</c>, each part
/// percent-decoded; the query becomes <c>extra</c>. Throws <see cref="FormatException"/> naming the bad part.</summary>
public static class ConnectionUri
{
    public static ConnectionValues Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var schemeEnd = uri.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            throw new FormatException("uri has no scheme: expected type://login:password@host:port/schema?key=value");
        }

        // Airflow writes types with '_' (google_cloud_platform) but URI schemes cannot hold it: they use '-'.
        var type = uri[..schemeEnd].Replace('-', '_');
        var rest = uri[(schemeEnd + 3)..];

        string? query = null;
        var queryStart = rest.IndexOf('?', StringComparison.Ordinal);
        if (queryStart >= 0)
        {
            query = rest[(queryStart + 1)..];
            rest = rest[..queryStart];
        }

        string? schema = null;
        var pathStart = rest.IndexOf('/', StringComparison.Ordinal);
        if (pathStart >= 0)
        {
            schema = Decode(rest[(pathStart + 1)..]);
            rest = rest[..pathStart];
        }

        string? login = null;
        string? password = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var credentials = rest[..at];
            rest = rest[(at + 1)..];
            var colon = credentials.IndexOf(':', StringComparison.Ordinal);
            login = Decode(colon >= 0 ? credentials[..colon] : credentials);
            password = colon >= 0 ? Decode(credentials[(colon + 1)..]) : null;
        }

        int? port = null;
        var portStart = rest.LastIndexOf(':');
        if (portStart >= 0 && !rest.EndsWith(']'))
        {
            var portText = rest[(portStart + 1)..];
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                throw new FormatException($"uri port '{portText}' is not a number");
            }

            port = parsed;
            rest = rest[..portStart];
        }

        return new ConnectionValues(type, Empty(Decode(rest)), port, Empty(login), password, Empty(schema), Query(query));
    }

    private static Dictionary<string, string>? Query(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return null;
        }

        var extra = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(equals >= 0 ? pair[..equals] : pair);
            if (key.Length == 0)
            {
                throw new FormatException($"uri query part '{pair}' has no key");
            }

            extra[key] = equals >= 0 ? Decode(pair[(equals + 1)..]) : "";
        }

        return extra;
    }

    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    private static string? Empty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
