using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orchestrator.Web.Tests;

/// <summary>Signs a request in from two headers: <see cref="RoleHeader"/> (no header: not signed in, 401) and
/// <see cref="UserHeader"/> (default <see cref="DefaultUser"/>). Stands in for the cookie and bearer schemes in tests of
/// the endpoints; the real schemes have their own tests (Security/) and full-stack ones (Api/Dags/FullStack…).</summary>
internal sealed class TestAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";
    public const string RoleHeader = "X-Test-Role";
    public const string UserHeader = "X-Test-User";
    public const string DefaultUser = "alice";

    public static AuthenticationBuilder AddTo(IServiceCollection services) =>
        services.AddAuthentication(SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthentication>(SchemeName, null);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(RoleHeader, out var role))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var user = Request.Headers.TryGetValue(UserHeader, out var named) ? named.ToString() : DefaultUser;
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user), new Claim(ClaimTypes.Role, role.ToString())], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}

/// <summary>A test client signed in as "alice" with a role (the test scheme's headers).</summary>
internal static class TestClients
{
    public static HttpClient WithRole(this HttpClient client, string role)
    {
        client.DefaultRequestHeaders.Add(TestAuthentication.RoleHeader, role);
        client.DefaultRequestHeaders.Add(TestAuthentication.UserHeader, "alice");
        return client;
    }
}
