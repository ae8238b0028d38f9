namespace Orchestrator.Web.Security;

/// <summary>How the web server authenticates. Defaults: sign-in required, no automatic sign-in.</summary>
public sealed class SecurityOptions
{
    /// <summary>Requests from a loopback address are signed in as <see cref="AutoSignInUserName"/> (admin) without a
    /// password. Turn on only when the server listens on loopback only (<see cref="ListensOnLoopbackOnly"/>): behind a
    /// reverse proxy on the same machine every request would look local.</summary>
    public bool AutoSignIn { get; set; }

    public string AutoSignInUserName { get; set; } = DefaultAutoSignInUserName;

    /// <summary>The automatic sign-in's user name; no stored user may take it.</summary>
    public const string DefaultAutoSignInUserName = "local-admin";

    /// <summary>Failed sign-ins in a row for one user name before it is locked for <see cref="LockoutDuration"/>.</summary>
    public int MaxFailedSignIns { get; set; } = 5;

    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a dashboard sign-in lasts (sliding).</summary>
    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>A token's last-used time is written at most this often, so scripts polling the API do not write to the
    /// store on every request.</summary>
    public TimeSpan TokenTouchInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>True when every URL the server listens on is a loopback address (localhost, 127.0.0.0/8, ::1); false
    /// for wildcards (*, +, 0.0.0.0, [::]) and other hosts, and for an empty list.</summary>
    public static bool ListensOnLoopbackOnly(IEnumerable<string> urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var any = false;
        foreach (var url in urls)
        {
            any = true;
            // Kestrel accepts "*" and "+" as hosts, which Uri does not parse as hosts: such URLs are not loopback.
            if (!Uri.TryCreate(url.Replace("://*", "://wildcard.invalid", StringComparison.Ordinal).Replace("://+", "://wildcard.invalid", StringComparison.Ordinal), UriKind.Absolute, out var uri))
            {
                return false;
            }

            var host = uri.Host.Trim('[', ']');
            var loopback = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
                || (System.Net.IPAddress.TryParse(host, out var address) && System.Net.IPAddress.IsLoopback(address));
            if (!loopback)
            {
                return false;
            }
        }

        return any;
    }
}
