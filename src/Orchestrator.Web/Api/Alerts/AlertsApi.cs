using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Application;
using Orchestrator.Core.Alerts;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;
using Orchestrator.Web.Api.Dags;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Api.Alerts;

/// <summary>An alert as the API shows it (docs/rest-api.md, "Monitoring"); <c>target</c> as declared, a URL's query masked.</summary>
public sealed record AlertView(
    long Id, string Kind, string Severity, string Message, JsonElement? Target, string State, int Attempts, string? LastError,
    DateTimeOffset CreatedAt, DateTimeOffset? SentAt, string? DagId, string? RunId, string? TaskId, long? EventId)
{
    public static AlertView From(AlertRecord alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        JsonElement? target = AlertTargetMasking.Mask(alert.Target) is { } masked ? JsonElement.Parse(masked) : null;
        return new(alert.Id, alert.Kind, alert.Severity, alert.Message, target, AlertStates.Name(alert.State), alert.Attempts, alert.LastError,
            alert.CreatedAt, alert.SentAt, alert.DagId, alert.RunId, alert.TaskId, alert.EventId);
    }
}

/// <summary><c>GET /alerts</c> (newest first, filtered by kind, dagId, state; paged like the other lists) and
/// <c>GET /alerts/{id}</c>, for viewers.</summary>
public static class AlertsApi
{
    public static RouteGroupBuilder MapAlertsApi(this RouteGroupBuilder v1)
    {
        ArgumentNullException.ThrowIfNull(v1);
        var alerts = v1.MapGroup("/alerts").WithTags("Alerts");
        alerts.MapGet("/", ListAlerts).RequireAuthorization(OrchestratorPolicies.Viewer);
        alerts.MapGet("/{id}", GetAlert).RequireAuthorization(OrchestratorPolicies.Viewer);
        return v1;
    }

    private static async Task<Ok<Page<AlertView>>> ListAlerts(
        string? kind, string? dagId, string? state, string? offset, string? limit, IMetadataStore store, CancellationToken cancellationToken)
    {
        var page = ApiParameters.Page(offset, limit);
        AlertState? wanted = null;
        if (!string.IsNullOrWhiteSpace(kind) && !Core.Alerts.CallbackAlerts.Kinds.Contains(kind.Trim()))
        {
            throw ApplicationProblemException.Invalid($"kind must be one of {string.Join(", ", Core.Alerts.CallbackAlerts.Kinds)}, not '{kind}'", "kind");
        }

        if (!string.IsNullOrWhiteSpace(state))
        {
            wanted = AlertStates.TryParse(state, out var parsed)
                ? parsed
                : throw ApplicationProblemException.Invalid($"state must be one of recorded, pending, sent, failed, not '{state}'", "state");
        }

        var (items, total) = await store.Alerts.ListAsync(
            new AlertQuery(Blank(kind), Blank(dagId), wanted, page.Offset, page.Limit), cancellationToken);
        return TypedResults.Ok(new Page<AlertView>([.. items.Select(AlertView.From)], total, page.Offset, page.Limit));
    }

    private static async Task<Ok<AlertView>> GetAlert(string id, IMetadataStore store, CancellationToken cancellationToken)
    {
        var number = long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw ApplicationProblemException.NotFound($"no alert '{id}'");
        var alert = await store.Alerts.GetAsync(number, cancellationToken) ?? throw ApplicationProblemException.NotFound($"no alert '{id}'");
        return TypedResults.Ok(AlertView.From(alert));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
