using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Orchestrator.Web.Security;

/// <summary>GET/POST /login and POST /logout: the dashboard's sign-in, antiforgery-protected. A wrong password and an
/// unknown user get the same answer; a locked name gets the same answer too until the lock ends.</summary>
internal static class LoginEndpoints
{
    public const string FailedMessage = "Wrong user name or password.";
    public const string ExpiredMessage = "The form expired. Please sign in again.";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/login", (HttpContext context, string? returnUrl) => Page(context, returnUrl, null, null, StatusCodes.Status200OK))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/login", SignInAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/logout", SignOutAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
    }

    private static async Task<IResult> SignInAsync(HttpContext context, IAntiforgery antiforgery, UserAccounts accounts, SignInThrottle throttle)
    {
        if (!context.Request.HasFormContentType)
        {
            return Results.BadRequest();
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        string? returnUrl = form["returnUrl"];
        string? userName = form["userName"];
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Page(context, returnUrl, userName, ExpiredMessage, StatusCodes.Status400BadRequest);
        }

        var key = userName ?? "";
        // A locked name is not even checked: no password guess counts while it lasts.
        var user = throttle.IsLocked(key) ? null : await accounts.VerifyPasswordAsync(userName, form["password"], context.RequestAborted);
        if (user is null)
        {
            throttle.Failed(key);
            return Page(context, returnUrl, userName, FailedMessage, StatusCodes.Status401Unauthorized);
        }

        throttle.Succeeded(key);
        await context.SignInAsync(SecuritySchemes.Cookie, SecuritySchemes.CookiePrincipal(user));
        return Results.Redirect(LocalRedirects.OrRoot(returnUrl));
    }

    private static async Task<IResult> SignOutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.BadRequest();
        }

        await context.SignOutAsync(SecuritySchemes.Cookie);
        return Results.Redirect("/login");
    }

    private static IResult Page(HttpContext context, string? returnUrl, string? userName, string? error, int status)
    {
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = LoginPage.Render(tokens.FormFieldName, tokens.RequestToken!, LocalRedirects.IsLocal(returnUrl) ? returnUrl : null, userName, error);
        context.Response.Headers.ContentSecurityPolicy = LoginPage.ContentSecurityPolicy;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
