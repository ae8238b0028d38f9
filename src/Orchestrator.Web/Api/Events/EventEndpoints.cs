using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Application;
using Orchestrator.Application.Queries.Events;
using Orchestrator.Web.Api.Dags;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Api.Events;

/// <summary><c>/api/v1/events</c>: drift, dataset and dagSucceeded events with the runs each triggered.</summary>
internal static class EventEndpoints
{
    public static RouteGroupBuilder MapEventApi(this RouteGroupBuilder v1)
    {
        var events = v1.MapGroup("/events").WithTags("Events");
        events.MapGet("/", ListAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        events.MapGet("/{id}", GetAsync).RequireAuthorization(OrchestratorPolicies.Viewer);
        return v1;
    }

    private static async Task<Ok<Page<EventView>>> ListAsync(
        EventQueries queries, string? kind, string? subject, string? offset, string? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await queries.ListAsync(kind, subject, ApiParameters.Page(offset, limit), cancellationToken));

    private static async Task<Ok<EventView>> GetAsync(EventQueries queries, string id, CancellationToken cancellationToken)
    {
        // An id that cannot exist is a 404, as for DAGs, runs and alerts.
        return long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) && number > 0
            ? TypedResults.Ok(await queries.GetAsync(number, cancellationToken))
            : throw ApplicationProblemException.NotFound($"no event '{id}'");
    }
}
