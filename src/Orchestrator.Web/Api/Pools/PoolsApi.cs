using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Application;
using Orchestrator.Application.Pools;
using Orchestrator.Web.Api.Dags;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Api.Pools;

/// <summary>Body of <c>PUT /pools/{name}</c>: the whole pool (a description left out is removed).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PoolPutRequest(int? Slots, string? Description);

/// <summary>Body of <c>PATCH /pools/{name}</c>: only the fields given change (<c>"description": ""</c> removes it).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PoolPatchRequest(int? Slots, string? Description);

/// <summary>The pool paths of docs/rest-api.md ("Pools"): viewers read, admins change (as for Variables and
/// Connections: pools change what runs across the whole cluster).</summary>
public static class PoolsApi
{
    public static RouteGroupBuilder MapPoolsApi(this RouteGroupBuilder v1)
    {
        ArgumentNullException.ThrowIfNull(v1);
        var pools = v1.MapGroup("/pools").WithTags("Pools");
        pools.MapGet("/", ListAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        pools.MapGet("/{name}", GetAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        pools.MapPut("/{name}", PutAsync).RequireAuthorization(OrchestratorPolicies.Admin);
        pools.MapPatch("/{name}", PatchAsync).RequireAuthorization(OrchestratorPolicies.Admin);
        pools.MapDelete("/{name}", DeleteAsync).RequireAuthorization(OrchestratorPolicies.Admin);
        return v1;
    }

    private static async Task<Ok<Page<PoolView>>> ListAsync(PoolService pools, string? offset, string? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await pools.ListAsync(ApiParameters.Page(offset, limit), cancellationToken));

    private static async Task<Ok<PoolView>> GetAsync(PoolService pools, string name, CancellationToken cancellationToken) =>
        TypedResults.Ok(await pools.GetAsync(name, cancellationToken));

    private static async Task<Results<Created<PoolView>, Ok<PoolView>>> PutAsync(
        PoolService pools, HttpContext httpContext, string name, PoolPutRequest? body, CancellationToken cancellationToken)
    {
        PoolRules.CheckName(name);
        if (body?.Slots is not { } slots)
        {
            throw ApplicationProblemException.Invalid("slots is required: the body must be {\"slots\": 0…100000, \"description\": \"…\"}", "slots");
        }

        var saved = await pools.SetAsync(name, slots, body.Description, ApiActor.Of(httpContext), cancellationToken);
        return saved.Created
            ? TypedResults.Created($"/api/v1/pools/{Uri.EscapeDataString(saved.Pool.Name)}", saved.Pool)
            : TypedResults.Ok(saved.Pool);
    }

    private static async Task<Ok<PoolView>> PatchAsync(
        PoolService pools, HttpContext httpContext, string name, PoolPatchRequest? body, CancellationToken cancellationToken) =>
        TypedResults.Ok(await pools.UpdateAsync(name, body?.Slots, body?.Description, ApiActor.Of(httpContext), cancellationToken));

    private static async Task<NoContent> DeleteAsync(PoolService pools, HttpContext httpContext, string name, CancellationToken cancellationToken)
    {
        await pools.DeleteAsync(name, ApiActor.Of(httpContext), cancellationToken);
        return TypedResults.NoContent();
    }
}
