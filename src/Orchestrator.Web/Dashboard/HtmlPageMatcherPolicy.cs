using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace Orchestrator.Web.Dashboard;

/// <summary>Marks an endpoint as a dashboard page: it answers browsers (who ask for text/html), not API clients.</summary>
internal sealed class HtmlPageMetadata
{
    internal static readonly HtmlPageMetadata Instance = new();
}

/// <summary>Some page URLs are also JSON endpoints of other parts (<c>GET /models/{name}</c> is model serving, as
/// MLflow's). When both match, a request that accepts text/html gets the page and any other gets the JSON endpoint,
/// so a browser link and a script's curl to the same URL both get what they expect.</summary>
internal sealed class HtmlPageMatcherPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    // After the HTTP-method policy, so only endpoints for this method compete.
    public override int Order => 1000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        endpoints.Any(e => e.Metadata.GetMetadata<HtmlPageMetadata>() is not null);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(candidates);
        var anyPage = false;
        var anyOther = false;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i))
            {
                continue;
            }

            if (IsPage(candidates[i].Endpoint))
            {
                anyPage = true;
            }
            else
            {
                anyOther = true;
            }
        }

        if (!anyPage || !anyOther)
        {
            return Task.CompletedTask; // nothing competes: a page URL alone answers every client
        }

        var wantsPage = AcceptsHtml(httpContext.Request);
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i) && IsPage(candidates[i].Endpoint) != wantsPage)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }

    internal static bool AcceptsHtml(HttpRequest request)
    {
        foreach (var value in request.Headers.Accept)
        {
            if (value is not null && value.Contains("text/html", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsPage(Endpoint endpoint) => endpoint.Metadata.GetMetadata<HtmlPageMetadata>() is not null;
}
