using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Application;
using Orchestrator.Application.Queries.Ml;
using Orchestrator.Web.Api.Dags;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Api.Ml;

/// <summary><c>/api/v1/models/{name}/drift</c>: a model's drift checks, newest first, and one check with its report
/// (viewer), as docs/rest-api.md specifies them.</summary>
public static class DriftApi
{
    public static RouteGroupBuilder MapDriftApi(this RouteGroupBuilder v1)
    {
        ArgumentNullException.ThrowIfNull(v1);
        var drift = v1.MapGroup("/models/{name}/drift").WithTags("Models");
        drift.MapGet("/", ListAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        drift.MapGet("/{checkId}", GetAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        return v1;
    }

    private static async Task<Ok<Page<DriftCheckView>>> ListAsync(
        string name, string? offset, string? limit, IDriftQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListAsync(name, ApiParameters.Page(offset, limit), cancellationToken));

    /// <summary>A check id that is not a positive number cannot exist: 404, as for any unknown check.</summary>
    private static async Task<Ok<DriftCheckDetail>> GetAsync(string name, string checkId, IDriftQueries queries, CancellationToken cancellationToken)
    {
        var id = long.TryParse(checkId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : 0;
        return TypedResults.Ok(await queries.GetAsync(name, id, cancellationToken));
    }
}
