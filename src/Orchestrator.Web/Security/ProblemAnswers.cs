using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Orchestrator.Web.Security;

/// <summary>Problem-details answers (RFC 9457) written by the security layer itself (401, 403, CSRF 400), through
/// the app's <see cref="IProblemDetailsService"/> when there is one, like the API's own errors.</summary>
internal static class ProblemAnswers
{
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail, string? field = null)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }

        if (context.RequestServices.GetService<IProblemDetailsService>() is { } service
            && await service.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            return;
        }

        await context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
    }

    /// <summary>API requests get problem answers; pages get redirects. Outside /api (model serving, /metrics) only a
    /// browser asking for HTML is sent to the sign-in page: scripts and scrapers get the status code.</summary>
    public static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api/v1", StringComparison.OrdinalIgnoreCase)
        || !request.Headers.Accept.Any(accept => accept?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);
}
