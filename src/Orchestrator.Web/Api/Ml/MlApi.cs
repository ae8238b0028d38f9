using System.Text.Json.Serialization;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Application;
using Orchestrator.Application.Queries.Ml;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Api.Ml;

/// <summary>Models, experiments, datasets (viewer; moving an alias is admin) and the Variables and Connections lists
/// (admin), as docs/rest-api.md specifies them. Refusals are <see cref="ApplicationProblemException"/>s, answered as
/// problem details by <see cref="ApplicationProblemHandler"/>.</summary>
public static class MlApi
{
    public static RouteGroupBuilder MapMlApi(this RouteGroupBuilder v1)
    {
        ArgumentNullException.ThrowIfNull(v1);
        var models = v1.MapGroup("/models").WithTags("Models");
        models.MapGet("/", ListModels).RequireAuthorization(OrchestratorPolicies.Viewer);
        models.MapGet("/{name}", GetModel).RequireAuthorization(OrchestratorPolicies.Viewer);
        models.MapGet("/{name}/versions/{version}", GetModelVersion).RequireAuthorization(OrchestratorPolicies.Viewer);
        models.MapGet("/{name}/aliases/{alias}/history", AliasHistory).RequireAuthorization(OrchestratorPolicies.Viewer);
        models.MapPut("/{name}/aliases/{alias}", MoveAlias).RequireAuthorization(OrchestratorPolicies.Admin);

        var tracking = v1.MapGroup("").WithTags("Experiments");
        tracking.MapGet("/experiments", ListExperiments).RequireAuthorization(OrchestratorPolicies.Viewer);
        tracking.MapGet("/experiments/{experimentId}/runs", ListExperimentRuns).RequireAuthorization(OrchestratorPolicies.Viewer);
        tracking.MapGet("/tracking-runs/{trackingRunId}", GetTrackingRun).RequireAuthorization(OrchestratorPolicies.Viewer);

        var datasets = v1.MapGroup("/datasets").WithTags("Datasets");
        datasets.MapGet("/", ListDatasets).RequireAuthorization(OrchestratorPolicies.Viewer);
        datasets.MapGet("/{name}/versions/{version}", GetDatasetVersion).RequireAuthorization(OrchestratorPolicies.Viewer);

        var secrets = v1.MapGroup("").WithTags("Variables and Connections");
        secrets.MapGet("/variables", ListVariables).RequireAuthorization(OrchestratorPolicies.Admin);
        secrets.MapGet("/connections", ListConnections).RequireAuthorization(OrchestratorPolicies.Admin);
        return v1;
    }

    private static async Task<Ok<Page<ModelSummary>>> ListModels(int? offset, int? limit, IModelQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListAsync(PageRequest.From(offset, limit), cancellationToken));

    private static async Task<Ok<ModelDetail>> GetModel(string name, IModelQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.GetAsync(name, cancellationToken));

    private static async Task<Ok<ModelVersionView>> GetModelVersion(string name, string version, IModelQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.GetVersionAsync(name, VersionNumber(version), cancellationToken));

    private static async Task<Ok<IReadOnlyList<AliasHistoryEntry>>> AliasHistory(string name, string alias, IModelQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.AliasHistoryAsync(name, alias, cancellationToken));

    private static async Task<Ok<AliasHistoryEntry>> MoveAlias(
        string name, string alias, AliasMoveRequest body, HttpContext httpContext, IModelAliasCommands commands, CancellationToken cancellationToken)
    {
        if (body?.Version is not { } version)
        {
            throw ApplicationProblemException.Invalid("version is required: the version number the alias will point at", "version");
        }

        var result = await commands.MoveAsync(name, alias, version, body.Reason, new Actor(httpContext.User.Identity!.Name!), cancellationToken);
        return TypedResults.Ok(result.Entry);
    }

    private static async Task<Ok<Page<ExperimentSummary>>> ListExperiments(int? offset, int? limit, IExperimentQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListAsync(PageRequest.From(offset, limit), cancellationToken));

    private static async Task<Ok<Page<TrackingRunView>>> ListExperimentRuns(
        string experimentId, string? sort, string? order, int? offset, int? limit, IExperimentQueries queries, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(offset, limit);
        return TypedResults.Ok(await queries.ListRunsAsync(experimentId, TrackingRunSort.Parse(sort, order), page, cancellationToken));
    }

    private static async Task<Ok<TrackingRunDetail>> GetTrackingRun(string trackingRunId, IExperimentQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.GetRunAsync(trackingRunId, cancellationToken));

    private static async Task<Ok<Page<DatasetSummary>>> ListDatasets(int? offset, int? limit, IDatasetQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListAsync(PageRequest.From(offset, limit), cancellationToken));

    private static async Task<Ok<DatasetVersionDetail>> GetDatasetVersion(string name, string version, IDatasetQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.GetVersionAsync(name, version, cancellationToken));

    private static async Task<Ok<Page<VariableView>>> ListVariables(int? offset, int? limit, ISecretListQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListVariablesAsync(PageRequest.From(offset, limit), cancellationToken));

    private static async Task<Ok<Page<ConnectionView>>> ListConnections(int? offset, int? limit, ISecretListQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListConnectionsAsync(PageRequest.From(offset, limit), cancellationToken));

    /// <summary>The path's version as a number; anything else is a 400 naming <c>version</c> (a route constraint would
    /// answer 404, as if the model had no such version).</summary>
    private static int VersionNumber(string version) =>
        int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1
            ? number
            : throw ApplicationProblemException.Invalid($"version must be a version number (1, 2, …), not '{version}'", "version");
}

/// <summary>The body of <c>PUT /api/v1/models/{name}/aliases/{alias}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AliasMoveRequest(int? Version, string? Reason);
