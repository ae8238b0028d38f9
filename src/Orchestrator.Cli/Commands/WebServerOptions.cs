using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Serving;

namespace Orchestrator.Cli.Commands;

/// <summary>The web server's options, shared by <c>standalone</c> and <c>webserver</c>: where to listen, whether
/// loopback requests sign in automatically, and the inference log of model serving.</summary>
internal sealed class WebServerOptions
{
    private readonly Option<int> _port = new("--port")
    {
        Description = "The HTTP port of the dashboard, the REST API, model serving, /health and /metrics.",
        DefaultValueFactory = _ => 8080,
    };

    private readonly Option<string> _host = new("--host")
    {
        Description = "The address to listen on: localhost (this machine only), * for every interface, or an IP address such as 0.0.0.0 or 10.0.0.5. Beyond loopback every request must sign in (create users with `orchestrator users create`).",
        DefaultValueFactory = _ => "localhost",
    };

    private readonly Option<bool> _requireLogin = new("--require-login")
    {
        Description = "Require sign-in even when listening on loopback only (by default a loopback-only server signs local requests in as an admin).",
    };

    private readonly InferenceLogOptions _inferenceLog = new();

    public void AddTo(Command command)
    {
        command.Options.Add(_port);
        command.Options.Add(_host);
        command.Options.Add(_requireLogin);
        _inferenceLog.AddTo(command);
    }

    /// <summary>What the command line asks for, or the error naming the option and what it expects.</summary>
    public (WebServerSettings? Settings, string? Error) Read(ParseResult parse)
    {
        var host = parse.GetValue(_host)!;
        if (ListenUrl(host, parse.GetValue(_port)) is not { } listenUrl)
        {
            return (null, $"--host '{host}' must be localhost, * (every interface) or an IP address such as 0.0.0.0, 127.0.0.1 or ::");
        }

        var (serving, error) = _inferenceLog.Read(parse);
        if (serving is null)
        {
            return (null, error);
        }

        // Automatic sign-in only when nobody beyond this machine can connect, and only for loopback requests.
        return (new WebServerSettings(listenUrl, IsLoopbackOnly(host) && !parse.GetValue(_requireLogin), serving), null);
    }

    /// <summary>The URL to listen on for <c>--host</c>: localhost (loopback only), <c>*</c> or <c>+</c> (every
    /// interface), or an IP address written as such (IPv6 bracketed or not); null for anything else, such as a host
    /// name, which Kestrel would silently turn into every interface.</summary>
    internal static string? ListenUrl(string host, int port)
    {
        var at = port.ToString(CultureInfo.InvariantCulture);
        if (host is "localhost" or "*" or "+")
        {
            return $"http://{host}:{at}";
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (!IPAddress.TryParse(bare, out var address))
        {
            return null;
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetworkV6 when bare.Contains(':', StringComparison.Ordinal) => $"http://[{address}]:{at}",
            // IPv4 only in full dotted form: TryParse also takes "1" or "10.1", which nobody means.
            AddressFamily.InterNetwork when address.ToString() == bare && bare == host => $"http://{bare}:{at}",
            _ => null,
        };
    }

    /// <summary>Whether a valid <c>--host</c> keeps the server reachable from this machine only.</summary>
    private static bool IsLoopbackOnly(string host) =>
        host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}

/// <summary>A web server's settings as read from its command line.</summary>
internal sealed record WebServerSettings(string ListenUrl, bool AutoSignIn, Action<ModelServingOptions> Serving);
