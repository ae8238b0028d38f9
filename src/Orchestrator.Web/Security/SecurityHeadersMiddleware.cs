using Microsoft.AspNetCore.Http;

namespace Orchestrator.Web.Security;

/// <summary>Headers every answer of the web parts carries: never framed (clickjacking), no content-type sniffing,
/// no full URLs (with run ids, DAG ids) leaked to other sites. Added when the response starts, so answers written
/// by the exception handler (which clears headers) get them too, and antiforgery's (or Hangfire's) weaker
/// X-Frame-Options SAMEORIGIN is replaced.</summary>
internal sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpResponse)state).Headers;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            return Task.CompletedTask;
        }, context.Response);
        return next(context);
    }
}
