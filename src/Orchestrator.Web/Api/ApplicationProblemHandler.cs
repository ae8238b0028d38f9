using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Application;

namespace Orchestrator.Web.Api;

/// <summary>Turns a use case's refusal into a problem-details answer (RFC 9457) with the status its kind means and
/// the request field at fault as <c>field</c>. Other exceptions are left to the default 500 handling.</summary>
internal sealed class ApplicationProblemHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not ApplicationProblemException problem)
        {
            return false;
        }

        var status = StatusOf(problem.Kind);
        httpContext.Response.StatusCode = status;
        var details = new ProblemDetails { Status = status, Title = TitleOf(problem.Kind), Detail = problem.Message };
        if (problem.Field is not null)
        {
            details.Extensions["field"] = problem.Field;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
    }

    internal static int StatusOf(ProblemKind kind) => kind switch
    {
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.Invalid => StatusCodes.Status400BadRequest,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
        _ => StatusCodes.Status500InternalServerError,
    };

    private static string TitleOf(ProblemKind kind) => kind switch
    {
        ProblemKind.NotFound => "Not found",
        ProblemKind.Invalid => "Invalid request",
        ProblemKind.Conflict => "Conflict with the current state",
        ProblemKind.Forbidden => "Forbidden",
        _ => "Error",
    };
}

public static class ApiErrorsServiceCollectionExtensions
{
    /// <summary>Problem-details bodies for every error answer, and use-case refusals mapped to 400/403/404/409. The app
    /// must call <c>UseExceptionHandler()</c> and <c>UseStatusCodePages()</c> (the lead's composition does).</summary>
    public static IServiceCollection AddOrchestratorApiErrors(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<ApplicationProblemHandler>();
        // Bodies that do not bind throw, so BadRequestHandler can say what was expected (otherwise a bare 400).
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestHandler>();
        return services;
    }
}
