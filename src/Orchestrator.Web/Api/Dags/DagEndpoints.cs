using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Application;
using Orchestrator.Application.Dags;
using Orchestrator.Application.Queries.Dags;
using Orchestrator.Application.Queries.Runs;
using Orchestrator.Application.Runs;
using Orchestrator.Web.Api.Runs;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Api.Dags;

/// <summary>Body of <c>PATCH /dags/{dagId}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record DagPatchRequest(bool? IsPaused);

/// <summary>Body of <c>POST /dags/{dagId}/runs</c>: the run's conf (an object; absent = {}).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TriggerRunRequest(JsonElement? Conf);

public static class DagEndpoints
{
    /// <summary>Maps the DAG, run, task-instance and import-error paths of docs/rest-api.md on the <c>/api/v1</c> group.</summary>
    public static RouteGroupBuilder MapDagApi(this RouteGroupBuilder v1)
    {
        ArgumentNullException.ThrowIfNull(v1);
        var dags = v1.MapGroup("/dags").WithTags("DAGs");
        dags.MapGet("/", ListAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        dags.MapGet("/{dagId}", GetAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        dags.MapPatch("/{dagId}", PatchAsync).RequireAuthorization(OrchestratorPolicies.Operator);
        dags.MapGet("/{dagId}/source", SourceAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        dags.MapGet("/{dagId}/graph", GraphAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        dags.MapGet("/{dagId}/grid", GridAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        dags.MapGet("/{dagId}/runs", RunsAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        dags.MapPost("/{dagId}/runs", TriggerAsync).RequireAuthorization(OrchestratorPolicies.Operator);
        v1.MapGet("/import-errors", ImportErrorsAsync).WithTags("DAGs").RequireAuthorization(OrchestratorPolicies.Viewer);
        v1.MapRunApi();
        return v1;
    }

    private static async Task<Ok<Page<DagSummary>>> ListAsync(DagQueries queries, string? search, string? offset, string? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListAsync(search, ApiParameters.Page(offset, limit), cancellationToken));

    private static async Task<Ok<DagDetail>> GetAsync(DagQueries queries, string dagId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.GetAsync(ApiParameters.Dag(dagId), cancellationToken));

    private static async Task<Ok<DagSummary>> PatchAsync(
        DagQueries queries, IDagCommands commands, HttpContext httpContext, string dagId, DagPatchRequest? body, CancellationToken cancellationToken)
    {
        var id = ApiParameters.Dag(dagId);
        if (body?.IsPaused is not { } paused)
        {
            throw ApplicationProblemException.Invalid("the body must be {\"isPaused\": true|false}", "isPaused");
        }

        await commands.SetPausedAsync(id, paused, ApiActor.Of(httpContext), cancellationToken);
        return TypedResults.Ok(await queries.GetSummaryAsync(id, cancellationToken));
    }

    private static async Task<Ok<DagSource>> SourceAsync(DagQueries queries, string dagId, string? version, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.SourceAsync(ApiParameters.Dag(dagId), version, cancellationToken));

    private static async Task<Ok<GraphView>> GraphAsync(DagViewQueries queries, string dagId, string? runId, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.GraphAsync(ApiParameters.Dag(dagId), string.IsNullOrWhiteSpace(runId) ? null : ApiParameters.Run(runId), cancellationToken));

    private static async Task<Ok<GridView>> GridAsync(DagViewQueries queries, string dagId, string? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.GridAsync(ApiParameters.Dag(dagId), ApiParameters.OptionalInt(limit, "limit"), cancellationToken));

    private static async Task<Ok<Page<RunSummary>>> RunsAsync(RunQueries queries, string dagId, string? state, string? offset, string? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListAsync(ApiParameters.Dag(dagId), state, ApiParameters.Page(offset, limit), cancellationToken));

    private static async Task<Created<RunSummary>> TriggerAsync(
        RunQueries queries, IRunCommands commands, HttpContext httpContext, string dagId, TriggerRunRequest? body, CancellationToken cancellationToken)
    {
        var id = ApiParameters.Dag(dagId);
        if (body?.Conf is { } conf && conf.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined))
        {
            throw ApplicationProblemException.Invalid("conf must be a JSON object", "conf");
        }

        var confJson = body?.Conf is { ValueKind: JsonValueKind.Object } given ? given.GetRawText() : null;
        var runId = await commands.TriggerAsync(id, confJson, ApiActor.Of(httpContext), cancellationToken);
        return TypedResults.Created($"/api/v1/runs/{Uri.EscapeDataString(runId.Value)}", await queries.GetSummaryAsync(runId, cancellationToken));
    }

    private static async Task<Ok<Page<ImportErrorView>>> ImportErrorsAsync(DagQueries queries, string? offset, string? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ImportErrorsAsync(ApiParameters.Page(offset, limit), cancellationToken));
}

/// <summary>Who a request acts as: the signed-in user's name, recorded in the reasons of what it changes.</summary>
internal static class ApiActor
{
    public static Actor Of(HttpContext httpContext) => new(httpContext.User.Identity!.Name!);
}
