using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace Orchestrator.Web.Security;

public static class SecurityEndpointExtensions
{
    /// <summary>Maps /login and /logout on <paramref name="app"/>, and /me, /csrf, /me/tokens and /users on the API's
    /// <paramref name="v1"/> group (<c>/api/v1</c>).</summary>
    public static IEndpointRouteBuilder MapSecurityEndpoints(this IEndpointRouteBuilder app, RouteGroupBuilder v1)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(v1);
        LoginEndpoints.Map(app);
        SecurityApiEndpoints.Map(v1);
        return app;
    }
}
