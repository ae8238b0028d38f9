using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orchestrator.Web.Security;

/// <summary><c>Authorization: Bearer orch_…</c>: the token is looked up by its SHA-256; revoked, expired or unknown
/// tokens and disabled owners fail (401). The last-used time is written at most once per
/// <see cref="SecurityOptions.TokenTouchInterval"/>.</summary>
internal sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    UserAccounts accounts,
    IOptions<SecurityOptions> security,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerToken(Request) is not { } token)
        {
            return AuthenticateResult.NoResult();
        }

        if (await accounts.AuthenticateTokenAsync(token, Context.RequestAborted) is not { } found)
        {
            return AuthenticateResult.Fail("the bearer token is unknown, revoked or expired");
        }

        var now = time.GetUtcNow();
        if (found.Token.LastUsedAt is not { } last || now - last >= security.Value.TokenTouchInterval)
        {
            await accounts.Store.TouchTokenAsync(found.Token.Id, now, Context.RequestAborted);
        }

        var principal = SecuritySchemes.Principal(found.User.Name, found.User.Role, SecuritySchemes.Bearer);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        await ProblemAnswers.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Not signed in", "the bearer token is unknown, revoked or expired");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemAnswers.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden", "your role does not allow this");

    internal static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}

/// <summary>Signs in requests from a loopback address as the local admin, when <see cref="SecurityOptions.AutoSignIn"/>
/// is on (the selector only sends such requests here).</summary>
internal sealed class LocalAutoSignInHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<SecurityOptions> security)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!IsAutoSignInRequest(Context, security.Value))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var principal = SecuritySchemes.Principal(security.Value.AutoSignInUserName, OrchestratorRoles.Admin, SecuritySchemes.Local, autoSignedIn: true);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
    }

    /// <summary>Both ends must be local: the connection comes from loopback AND the browser addressed a loopback
    /// name. The Host check stops DNS rebinding, where a page from evil.example re-points its own name at 127.0.0.1
    /// and its script would otherwise ride on the local admin.</summary>
    internal static bool IsAutoSignInRequest(HttpContext context, SecurityOptions options) =>
        options.AutoSignIn
        && context.Connection.RemoteIpAddress is { } remote && System.Net.IPAddress.IsLoopback(remote)
        && IsLoopbackHost(context.Request.Host);

    /// <summary>localhost, 127.x.x.x or [::1], with or without a port; anything else (including no Host) is not.</summary>
    internal static bool IsLoopbackHost(HostString host)
    {
        if (!host.HasValue)
        {
            return false;
        }

        var name = host.Host;
        if (string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (name.StartsWith('[') && name.EndsWith(']'))
        {
            name = name[1..^1];
        }

        return System.Net.IPAddress.TryParse(name, out var address) && System.Net.IPAddress.IsLoopback(address);
    }
}
