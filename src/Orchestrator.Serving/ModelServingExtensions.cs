using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchestrator.ML.Models;
using Orchestrator.Serving.Http;
using Orchestrator.Serving.InferenceLog;
using Orchestrator.Serving.Resolution;
using Orchestrator.Storage;

namespace Orchestrator.Serving;

/// <summary>One line each for a host: <c>services.AddModelServing()</c> and <c>app.MapModelServing()</c>.</summary>
public static class ModelServingExtensions
{
    /// <summary>Registers the served-model cache (also as <see cref="IModelDeploymentNotifier"/>), its background alias
    /// refresher and the endpoints' handlers. The host registers <c>IModelRegistryStore</c>, <c>IArtifactStore</c>
    /// and <c>IModelPackageReader</c>, and <c>IInferenceLogStore</c> for the inference log (without one nothing is
    /// logged). A host may register its own <see cref="IInferenceSampler"/> (tests: a seeded one).</summary>
    public static IServiceCollection AddModelServing(this IServiceCollection services, Action<ModelServingOptions>? configure = null)
    {
        var options = services.AddOptions<ModelServingOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o =>
        {
            o.Validate();
            return true;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ServedModels>();
        // Replaces the no-op notifier of hosts that serve nothing: ml.deploy in this process must reach these servers.
        services.Replace(ServiceDescriptor.Singleton<IModelDeploymentNotifier>(provider => provider.GetRequiredService<ServedModels>()));
        services.TryAddSingleton<IInferenceSampler>(provider =>
            new RandomInferenceSampler(provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<ModelServingOptions>>().Value.InferenceLogSampling));
        services.TryAddSingleton(provider => new InferenceLogQueue(
            provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<ModelServingOptions>>(),
            provider.GetRequiredService<IInferenceSampler>(),
            provider.GetRequiredService<Microsoft.Extensions.Logging.ILogger<InferenceLogQueue>>(),
            provider.GetService<IInferenceLogStore>()));
        services.TryAddSingleton<InferenceLogWriter>();
        services.AddHostedService(provider => provider.GetRequiredService<InferenceLogWriter>());
        services.TryAddSingleton<InvocationsEndpoint>();
        services.TryAddSingleton<FeedbackEndpoint>();
        services.TryAddSingleton<ModelDescriptionEndpoint>();
        services.AddHostedService<AliasRefresher>();
        return services;
    }

    /// <summary>Maps <c>POST /models/{name}/invocations</c>, <c>GET /models/{name}</c> and <c>GET /ping</c> (and
    /// <c>GET /health</c> with <paramref name="mapHealth"/>, for hosts that do not answer it themselves).</summary>
    public static RouteGroupBuilder MapModelServing(this IEndpointRouteBuilder endpoints, bool mapHealth = false)
    {
        var group = endpoints.MapGroup(string.Empty);
        var invocations = endpoints.ServiceProvider.GetRequiredService<InvocationsEndpoint>();
        var description = endpoints.ServiceProvider.GetRequiredService<ModelDescriptionEndpoint>();
        group.MapPost("/models/{name}/invocations", invocations.HandleAsync);
        group.MapGet("/models/{name}", description.HandleAsync);
        group.MapGet("/ping", Alive);
        if (mapHealth)
        {
            group.MapGet("/health", Alive);
        }

        return group;
    }

    /// <summary>Maps <c>POST /models/{name}/feedback</c> (labels for logged rows). Separate from
    /// <see cref="MapModelServing"/> so a host can require a stronger role for it than for scoring.</summary>
    public static IEndpointConventionBuilder MapModelFeedback(this IEndpointRouteBuilder endpoints)
    {
        var feedback = endpoints.ServiceProvider.GetRequiredService<FeedbackEndpoint>();
        return endpoints.MapPost("/models/{name}/feedback", feedback.HandleAsync);
    }

    /// <summary>MLflow's scoring server answers /ping and /health with 200 and a newline.</summary>
    private static Task Alive(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("\n", context.RequestAborted);
    }
}
