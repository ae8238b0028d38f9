using Orchestrator.Core.Authoring;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Execution.Hosting;
using Orchestrator.Execution.Shell;

namespace Orchestrator.Execution.TaskTypes;

/// <summary>Task type name → executor: the types registered in the host's services (each a keyed
/// <see cref="ITaskExecutor"/> plus its <see cref="TaskTypeRegistration"/>). The loaders check DAG files against
/// <see cref="KnownTypes"/>, so a project that registers its own types (the ML project's <c>ml.*</c>) needs no change
/// here. Executors are resolved when a try needs them.</summary>
public sealed class TaskTypeRegistry
{
    private readonly Dictionary<string, Func<ITaskExecutor>> _executors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyCollection<string>> _selfRendered = new(StringComparer.Ordinal);

    /// <summary>An empty registry (tests and tools that add types with <see cref="Register"/>).</summary>
    public TaskTypeRegistry()
    {
    }

    /// <summary>The types registered in <paramref name="services"/>; a later registration of a name wins.</summary>
    [ActivatorUtilitiesConstructor]
    public TaskTypeRegistry(IServiceProvider services, IEnumerable<TaskTypeRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(registrations);
        foreach (var registration in registrations)
        {
            var name = registration.Name;
            _executors[name] = () => services.GetRequiredKeyedService<ITaskExecutor>(name);
            _selfRendered[name] = registration.ArgsRenderedByExecutor;
        }
    }

    /// <summary>The built-in types (<c>empty</c>, <c>shell</c>, C# task classes) on a container of their own, for
    /// tests and tools that host no services. <paramref name="shell"/> null: <see cref="ShellTaskOptions.FromEnvironment"/>.</summary>
    public static TaskTypeRegistry CreateDefault(ShellTaskOptions? shell = null) =>
        new ServiceCollection()
            .AddOrchestratorExecution(shell is null ? null : options => options.AllowedEnvironment = shell.AllowedEnvironment)
            .BuildServiceProvider()
            .GetRequiredService<TaskTypeRegistry>();

    /// <summary>Adds (or replaces) a type outside the container. <paramref name="argsRenderedByExecutor"/>: top-level
    /// args whose templates the executor renders itself from <see cref="Core.Authoring.TaskContext.Templates"/>
    /// (plain text substitution would be unsafe for them, as for a shell command).</summary>
    public TaskTypeRegistry Register(string type, ITaskExecutor executor, IReadOnlyCollection<string>? argsRenderedByExecutor = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(executor);
        _executors[type] = () => executor;
        _selfRendered[type] = argsRenderedByExecutor ?? [];
        return this;
    }

    /// <summary>The args of <paramref name="type"/> that the generic renderer must leave as written.</summary>
    public IReadOnlyCollection<string> ArgsRenderedByExecutor(string type) =>
        _selfRendered.TryGetValue(type, out var args) ? args : [];

    public IReadOnlySet<string> KnownTypes => _executors.Keys.ToHashSet(StringComparer.Ordinal);

    public ITaskExecutor Get(string type) =>
        _executors.TryGetValue(type, out var executor)
            ? executor()
            : throw new TaskFailedNoRetryException($"no executor for task type '{type}'; known: {string.Join(", ", _executors.Keys.Order(StringComparer.Ordinal))}");
}
