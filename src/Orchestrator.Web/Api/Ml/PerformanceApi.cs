using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Application.Queries.Ml;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Api.Ml;

/// <summary><c>GET /api/v1/models/{name}/performance?from=&amp;to=&amp;bucket=1h</c> (viewer): live metrics of labelled
/// inference rows per model version per time bucket, as docs/rest-api.md specifies. Bad parameters are 400s naming the
/// parameter, an unknown model a 404 (<see cref="Orchestrator.Application.ApplicationProblemException"/>).</summary>
public static class PerformanceApi
{
    public static RouteGroupBuilder MapPerformanceApi(this RouteGroupBuilder v1)
    {
        ArgumentNullException.ThrowIfNull(v1);
        v1.MapGroup("/models").WithTags("Models")
            .MapGet("/{name}/performance", GetPerformance).RequireAuthorization(OrchestratorPolicies.Viewer);
        return v1;
    }

    private static async Task<Ok<ModelPerformanceView>> GetPerformance(
        string name, string? from, string? to, string? bucket, IPerformanceQueries queries, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.GetAsync(name, from, to, bucket, cancellationToken));
}
