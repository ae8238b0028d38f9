using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Orchestrator.Web.Api.OpenApi;

public static class OrchestratorOpenApi
{
    /// <summary>The OpenAPI document of the API, with bearer-token authentication declared for every operation.</summary>
    public static IServiceCollection AddOrchestratorOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Orchestrator API",
                    Version = "v1",
                    Description = "DAGs, runs, task instances, models and access control. Contract: docs/rest-api.md.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "A token from `orchestrator users token create` or POST /api/v1/me/tokens. The dashboard's cookie works too.",
                };
                document.Security ??= [];
                document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] });
                return Task.CompletedTask;
            });
        });

    /// <summary>Serves <c>/openapi/v1.json</c> and the browsable reference at <c>/api</c> (Scalar; its script is served
    /// from the package, never from a CDN: machines may have no internet).</summary>
    public static IEndpointRouteBuilder MapOrchestratorOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapScalarApiReference("/api", options => options
            .WithTitle("Orchestrator API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts()
            // Nothing that calls services outside this server: no telemetry, no AI agent, no MCP, no client hand-off.
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp()
            .HideClientButton()
            .AddHttpAuthentication(BearerScheme, _ => { }));
        return app;
    }

    private const string BearerScheme = "bearer";
}
