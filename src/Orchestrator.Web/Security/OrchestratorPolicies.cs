using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace Orchestrator.Web.Security;

/// <summary>The three roles, as the values of <see cref="ClaimTypes.Role"/> claims and of the users table.</summary>
public static class OrchestratorRoles
{
    /// <summary>Sees everything (secrets masked), changes nothing.</summary>
    public const string Viewer = "viewer";

    /// <summary>A viewer who may also trigger runs, clear and mark tasks, pause DAGs.</summary>
    public const string Operator = "operator";

    /// <summary>An operator who may also manage users, deploy (move model aliases), Variables and Connections, and open
    /// the Hangfire dashboard.</summary>
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [Viewer, Operator, Admin];

    public static bool IsValid(string? role) => role is Viewer or Operator or Admin;
}

/// <summary>The authorization policies every endpoint and page names (<c>.RequireAuthorization(OrchestratorPolicies.Operator)</c>).</summary>
public static class OrchestratorPolicies
{
    public const string Viewer = "orchestrator.viewer";
    public const string Operator = "orchestrator.operator";
    public const string Admin = "orchestrator.admin";

    /// <summary>Each policy requires a signed-in user with the role or a higher one.</summary>
    public static AuthorizationOptions AddOrchestratorPolicies(this AuthorizationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AddPolicy(Viewer, policy => policy.RequireAuthenticatedUser().RequireRole(OrchestratorRoles.Viewer, OrchestratorRoles.Operator, OrchestratorRoles.Admin));
        options.AddPolicy(Operator, policy => policy.RequireAuthenticatedUser().RequireRole(OrchestratorRoles.Operator, OrchestratorRoles.Admin));
        options.AddPolicy(Admin, policy => policy.RequireAuthenticatedUser().RequireRole(OrchestratorRoles.Admin));
        return options;
    }
}
