using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Storage;

namespace Orchestrator.Web.Security;

public static class SecurityServiceCollectionExtensions
{
    /// <summary>Cookie sign-in for the dashboard, bearer tokens for scripts, optional loopback auto sign-in, the three
    /// role policies, antiforgery (header <c>X-CSRF-TOKEN</c>) and the sign-in throttle. Needs an
    /// <see cref="IMetadataStore"/> and a <see cref="TimeProvider"/> in the container.</summary>
    public static IServiceCollection AddOrchestratorSecurity(this IServiceCollection services, Action<SecurityOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SecurityOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new UserAccounts(sp.GetRequiredService<IMetadataStore>().Users, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<SignInThrottle>();
        services.AddHostedService<SecurityStartupCheck>();

        services.AddAuthentication(SecuritySchemes.Select)
            .AddPolicyScheme(SecuritySchemes.Select, "Cookie, bearer token or loopback", policy => policy.ForwardDefaultSelector = SelectScheme)
            .AddCookie(SecuritySchemes.Cookie, cookie =>
            {
                cookie.Cookie.Name = SecuritySchemes.CookieName;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Strict;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.LoginPath = "/login";
                cookie.LogoutPath = "/logout";
                cookie.AccessDeniedPath = "/login";
                cookie.SlidingExpiration = true;
                cookie.Events = new CookieAuthenticationEvents
                {
                    OnRedirectToLogin = context => ProblemAnswers.IsApi(context.Request)
                        ? ProblemAnswers.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Not signed in", "sign in, or send Authorization: Bearer <token>")
                        : Redirect(context),
                    OnRedirectToAccessDenied = context => ProblemAnswers.IsApi(context.Request)
                        ? ProblemAnswers.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "your role does not allow this")
                        : ProblemAnswers.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "your role does not allow this page"),
                    OnValidatePrincipal = RefreshFromStoreAsync,
                };
            })
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(SecuritySchemes.Bearer, null)
            .AddScheme<AuthenticationSchemeOptions, LocalAutoSignInHandler>(SecuritySchemes.Local, null);
        services.AddOptions<CookieAuthenticationOptions>(SecuritySchemes.Cookie)
            .Configure<IOptions<SecurityOptions>>((cookie, security) => cookie.ExpireTimeSpan = security.Value.CookieLifetime);

        services.AddAuthorization(authorization => authorization.AddOrchestratorPolicies());
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.HeaderName = CsrfMiddleware.HeaderName;
            antiforgery.Cookie.Name = ".Orchestrator.Antiforgery";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return services;
    }

    /// <summary>Security headers on every answer, authentication, then the CSRF check on /api/v1, then authorization.
    /// Call after routing and before the
    /// endpoints (and before <c>MapOrchestratorHangfireDashboard</c>'s requests are served).</summary>
    public static IApplicationBuilder UseOrchestratorSecurity(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseAuthentication();
        app.UseMiddleware<CsrfMiddleware>();
        app.UseAuthorization();
        return app;
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static string SelectScheme(HttpContext context)
    {
        if (BearerTokenHandler.BearerToken(context.Request) is not null)
        {
            return SecuritySchemes.Bearer;
        }

        // A signed-in cookie wins over auto sign-in, so a local user can still act as someone else.
        var security = context.RequestServices.GetRequiredService<IOptions<SecurityOptions>>().Value;
        return !context.Request.Cookies.ContainsKey(SecuritySchemes.CookieName) && LocalAutoSignInHandler.IsAutoSignInRequest(context, security)
            ? SecuritySchemes.Local
            : SecuritySchemes.Cookie;
    }

    /// <summary>A cookie outlives changes to its user: check the store so a deleted or disabled user is signed out, a
    /// user deleted and created again under the same name does not inherit old cookies, and a new role applies at
    /// once.</summary>
    private static async Task RefreshFromStoreAsync(CookieValidatePrincipalContext context)
    {
        var name = context.Principal?.Identity?.Name;
        var accounts = context.HttpContext.RequestServices.GetRequiredService<UserAccounts>();
        var user = name is null ? null : await accounts.Store.GetAsync(name, context.HttpContext.RequestAborted);
        if (user is not { Disabled: false } || !SecuritySchemes.IsStampedFor(context.Principal!, user))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(SecuritySchemes.Cookie);
            return;
        }

        if (user.Role != SecuritySchemes.RoleOf(context.Principal!))
        {
            context.ReplacePrincipal(SecuritySchemes.CookiePrincipal(user));
            context.ShouldRenew = true;
        }
    }
}
