using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;

namespace Orchestrator.Web.Security;

/// <summary>Every request to /api/v1 that changes something (POST, PUT, PATCH, DELETE) from a signed-in browser (the
/// cookie, or loopback auto sign-in, which a page on another site could also ride) must carry the antiforgery token
/// in <c>X-CSRF-TOKEN</c> (from <c>GET /api/v1/csrf</c>); else 400. Bearer-token requests are exempt: a browser never
/// adds that header on its own. Anonymous requests pass through to get their 401 from authorization.</summary>
internal sealed class CsrfMiddleware(RequestDelegate next, IAntiforgery antiforgery)
{
    public const string HeaderName = "X-CSRF-TOKEN";

    public async Task InvokeAsync(HttpContext context)
    {
        if (NeedsToken(context) && !await antiforgery.IsRequestValidAsync(context))
        {
            await ProblemAnswers.WriteAsync(context, StatusCodes.Status400BadRequest, "Missing or invalid CSRF token",
                $"a change made in a signed-in session (the sign-in cookie, or loopback auto sign-in) needs the {HeaderName} header from GET /api/v1/csrf, sent with that answer's cookie; scripts can use an API token (Authorization: Bearer) instead", HeaderName);
            return;
        }

        await next(context);
    }

    private static bool NeedsToken(HttpContext context)
    {
        var method = context.Request.Method;
        return context.Request.Path.StartsWithSegments("/api/v1", StringComparison.OrdinalIgnoreCase)
            && !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method))
            && context.User.Identity is { IsAuthenticated: true, AuthenticationType: not SecuritySchemes.Bearer };
    }
}
