using System.Globalization;
using System.Security.Claims;
using Orchestrator.Storage.Records;

namespace Orchestrator.Web.Security;

/// <summary>The authentication schemes and how a signed-in user is represented. The identity's authentication type
/// names the scheme that made it, which decides whether CSRF protection applies (all but bearer).</summary>
public static class SecuritySchemes
{
    /// <summary>The default scheme: picks one of the three below per request.</summary>
    public const string Select = "orchestrator";
    public const string Cookie = "orchestrator.cookie";
    public const string Bearer = "orchestrator.bearer";
    public const string Local = "orchestrator.local";

    /// <summary>Claim present (value "true") when the user was signed in automatically from loopback.</summary>
    public const string AutoSignedInClaim = "orchestrator:auto";

    public const string CookieName = ".Orchestrator.Auth";

    public static ClaimsPrincipal Principal(string name, string role, string scheme, bool autoSignedIn = false)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(ClaimTypes.NameIdentifier, name), new(ClaimTypes.Role, role) };
        if (autoSignedIn)
        {
            claims.Add(new Claim(AutoSignedInClaim, "true"));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>Claim in a sign-in cookie: the user's creation time (UTC ticks), so a cookie of a deleted user does
    /// not come back to life when a user of the same name is created again.</summary>
    public const string UserStampClaim = "orchestrator:user-stamp";

    /// <summary>The principal a sign-in cookie carries for <paramref name="user"/>.</summary>
    public static ClaimsPrincipal CookiePrincipal(UserRecord user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var principal = Principal(user.Name, user.Role, Cookie);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(UserStampClaim, StampOf(user)));
        return principal;
    }

    /// <summary>True when the cookie was issued to this very user record, not an earlier user of the same name.</summary>
    public static bool IsStampedFor(ClaimsPrincipal principal, UserRecord user) =>
        principal.FindFirst(UserStampClaim)?.Value is { } stamp && string.Equals(stamp, StampOf(user), StringComparison.Ordinal);

    private static string StampOf(UserRecord user) => user.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture);

    public static string? RoleOf(ClaimsPrincipal user) => user.FindFirst(ClaimTypes.Role)?.Value;

    public static bool IsAutoSignedIn(ClaimsPrincipal user) => user.HasClaim(AutoSignedInClaim, "true");
}
