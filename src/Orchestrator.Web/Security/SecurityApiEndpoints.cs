using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Application;
using Orchestrator.Storage.Records;

namespace Orchestrator.Web.Security;

/// <summary>The API's side of access control (docs/rest-api.md, "Users, tokens…"): who am I, the CSRF token, my
/// tokens, and user management for admins. Answers never carry a password hash or a token hash.</summary>
internal static class SecurityApiEndpoints
{
    public sealed record MeAnswer(string Name, string Role, bool AutoSignedIn);

    public sealed record CsrfAnswer(string Token, string HeaderName);

    public sealed record CreateTokenRequest(string? Name, int? ExpiresInDays);

    public sealed record CreatedTokenAnswer(string Id, string Name, string Token, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

    public sealed record CreateUserRequest(string? Name, string? Password, string? Role);

    public sealed record UserAnswer(string Name, string Role, DateTimeOffset CreatedAt, bool Disabled)
    {
        public static UserAnswer Of(UserRecord user) => new(user.Name, user.Role, user.CreatedAt, user.Disabled);
    }

    public static void Map(RouteGroupBuilder v1)
    {
        v1.MapGet("/me", (ClaimsPrincipal user) => new MeAnswer(user.Identity!.Name!, SecuritySchemes.RoleOf(user)!, SecuritySchemes.IsAutoSignedIn(user)))
            .RequireAuthorization(OrchestratorPolicies.Viewer);

        v1.MapGet("/csrf", (HttpContext context, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            return new CsrfAnswer(tokens.RequestToken!, tokens.HeaderName ?? CsrfMiddleware.HeaderName);
        }).RequireAuthorization(OrchestratorPolicies.Viewer);

        v1.MapPost("/me/tokens", async (CreateTokenRequest? request, ClaimsPrincipal user, UserAccounts accounts, CancellationToken cancellationToken) =>
        {
            if (request?.ExpiresInDays is < 1 or > 3650)
            {
                throw ApplicationProblemException.Invalid("expiresInDays must be between 1 and 3650", "expiresInDays");
            }

            if (SecuritySchemes.IsAutoSignedIn(user))
            {
                throw ApplicationProblemException.Conflict(
                    "the automatic local admin is not a stored user and cannot own tokens: create a user with `orchestrator users create`");
            }

            var lifetime = request?.ExpiresInDays is { } days ? TimeSpan.FromDays(days) : (TimeSpan?)null;
            var (record, token) = await accounts.CreateTokenAsync(user.Identity!.Name!, request?.Name, lifetime, cancellationToken);
            return Results.Created($"/api/v1/me/tokens/{record.Id}", new CreatedTokenAnswer(record.Id, record.Name, token, record.CreatedAt, record.ExpiresAt));
        }).RequireAuthorization(OrchestratorPolicies.Viewer);

        v1.MapGet("/users", async (int? offset, int? limit, UserAccounts accounts, CancellationToken cancellationToken) =>
        {
            var page = PageRequest.From(offset, limit);
            return page.Of([.. (await accounts.Store.ListAsync(cancellationToken)).Select(UserAnswer.Of)]);
        }).RequireAuthorization(OrchestratorPolicies.Admin);

        v1.MapPost("/users", async (CreateUserRequest? request, UserAccounts accounts, CancellationToken cancellationToken) =>
        {
            var user = await accounts.CreateUserAsync(request?.Name, request?.Role, request?.Password, cancellationToken);
            return Results.Created($"/api/v1/users/{user.Name}", UserAnswer.Of(user));
        }).RequireAuthorization(OrchestratorPolicies.Admin);

        v1.MapDelete("/users/{name}", async (string name, ClaimsPrincipal user, UserAccounts accounts, CancellationToken cancellationToken) =>
        {
            if (string.Equals(name, user.Identity?.Name, StringComparison.Ordinal))
            {
                throw ApplicationProblemException.Conflict("you cannot delete the user you are signed in as");
            }

            await accounts.DeleteUserAsync(name, cancellationToken);
            return Results.NoContent();
        }).RequireAuthorization(OrchestratorPolicies.Admin);
    }
}
