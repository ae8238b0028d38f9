using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orchestrator.Core.Model;
using Orchestrator.Execution.LocalRuns;
using Orchestrator.Execution.Shell;
using Orchestrator.Execution.TaskTypes;
using Orchestrator.Execution.Tries;

namespace Orchestrator.Execution.Hosting;

/// <summary>Registers task execution in a host's services: the task-type registry, the try runner, the in-process run
/// executor behind <c>dags test</c>, and the built-in task types.</summary>
public static class ExecutionServiceCollectionExtensions
{
    /// <summary>The built-in types <c>empty</c>, <c>shell</c> and C# task classes, and what runs them. The clock is
    /// <see cref="TimeProvider.System"/> unless a <see cref="TimeProvider"/> is registered (tests register a fake one).
    /// Shell options start from <see cref="ShellTaskOptions.AllowListVariable"/>; <paramref name="configureShell"/>
    /// changes them.</summary>
    public static IServiceCollection AddOrchestratorExecution(this IServiceCollection services, Action<ShellTaskOptions>? configureShell = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(service => service.ServiceType == typeof(TaskTypeRegistry)))
        {
            // Added already (the engine's registration adds it too): only the shell settings may change.
            if (configureShell is not null)
            {
                services.Configure(configureShell);
            }

            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<ShellTaskOptions>().Configure(options => options.AllowedEnvironment = ShellTaskOptions.FromEnvironment().AllowedEnvironment);
        if (configureShell is not null)
        {
            services.Configure(configureShell);
        }

        services.TryAddSingleton(provider => new TaskTypeRegistry(provider, provider.GetServices<TaskTypeRegistration>()));
        services.TryAddSingleton<TaskInstanceRunner>();
        services.TryAddSingleton<LocalRunExecutor>();

        services.AddOrchestratorTaskType<EmptyTaskExecutor>("empty");
        services.AddOrchestratorTaskType<ITaskExecutor>(
            "shell", provider => new ShellTaskExecutor(provider.GetRequiredService<IOptions<ShellTaskOptions>>().Value), argsRenderedByExecutor: ["command"]);
        services.AddOrchestratorTaskType<CSharpTaskExecutor>(TaskDefinition.CSharpTaskType);
        return services;
    }

    /// <summary>A task type: <typeparamref name="TExecutor"/> as the <see cref="ITaskExecutor"/> keyed by
    /// <paramref name="name"/> (its constructor gets registered services), and the name known to the DAG loaders.
    /// <paramref name="argsRenderedByExecutor"/>: top-level args the executor renders itself from
    /// <see cref="Core.Authoring.TaskContext.Templates"/> (where plain text substitution would be unsafe, as for a
    /// shell command). A later registration of the same name replaces the earlier one.</summary>
    public static IServiceCollection AddOrchestratorTaskType<TExecutor>(
        this IServiceCollection services, string name, IReadOnlyCollection<string>? argsRenderedByExecutor = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where TExecutor : class, ITaskExecutor
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.Add(new ServiceDescriptor(typeof(ITaskExecutor), name, typeof(TExecutor), lifetime));
        services.AddSingleton(new TaskTypeRegistration(name, argsRenderedByExecutor ?? []));
        return services;
    }

    /// <summary>A task type whose executor <paramref name="factory"/> makes (for executors with settings to read).</summary>
    public static IServiceCollection AddOrchestratorTaskType<TExecutor>(
        this IServiceCollection services, string name, Func<IServiceProvider, TExecutor> factory,
        IReadOnlyCollection<string>? argsRenderedByExecutor = null, ServiceLifetime lifetime = ServiceLifetime.Singleton)
        where TExecutor : class, ITaskExecutor
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        services.Add(new ServiceDescriptor(typeof(ITaskExecutor), name, (provider, _) => factory(provider), lifetime));
        services.AddSingleton(new TaskTypeRegistration(name, argsRenderedByExecutor ?? []));
        return services;
    }
}
