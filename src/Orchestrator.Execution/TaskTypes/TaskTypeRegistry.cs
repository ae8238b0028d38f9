using Orchestrator.Core.Model;
using Orchestrator.Execution.Shell;

namespace Orchestrator.Execution.TaskTypes;

/// <summary>Task type name → executor. The loaders check DAG files against <see cref="KnownTypes"/>.</summary>
public sealed class TaskTypeRegistry
{
    private readonly Dictionary<string, ITaskExecutor> _executors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlyCollection<string>> _selfRendered = new(StringComparer.Ordinal);

    /// <summary>The built-in types: <c>empty</c>, <c>shell</c> and C# task classes. <paramref name="shell"/>
    /// null: <see cref="ShellTaskOptions.FromEnvironment"/> (the operator's ORCHESTRATOR_TASK_ENV_ALLOW).</summary>
    public static TaskTypeRegistry CreateDefault(ShellTaskOptions? shell = null) => new TaskTypeRegistry()
        .Register("empty", new EmptyTaskExecutor())
        .Register("shell", new ShellTaskExecutor(shell ?? ShellTaskOptions.FromEnvironment()), argsRenderedByExecutor: ["command"])
        .Register(TaskDefinition.CSharpTaskType, new CSharpTaskExecutor());

    /// <summary>Adds a type. <paramref name="argsRenderedByExecutor"/>: top-level args whose templates the
    /// executor renders itself from <see cref="TaskExecution.Templates"/> (plain text substitution would be
    /// unsafe for them, as for a shell command).</summary>
    public TaskTypeRegistry Register(string type, ITaskExecutor executor, IReadOnlyCollection<string>? argsRenderedByExecutor = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(executor);
        _executors[type] = executor;
        _selfRendered[type] = argsRenderedByExecutor ?? [];
        return this;
    }

    /// <summary>The args of <paramref name="type"/> that the generic renderer must leave as written.</summary>
    public IReadOnlyCollection<string> ArgsRenderedByExecutor(string type) =>
        _selfRendered.TryGetValue(type, out var args) ? args : [];

    public IReadOnlySet<string> KnownTypes => _executors.Keys.ToHashSet(StringComparer.Ordinal);

    public ITaskExecutor Get(string type) =>
        _executors.TryGetValue(type, out var executor)
            ? executor
            : throw new TaskFailedException($"no executor for task type '{type}'; known: {string.Join(", ", _executors.Keys.Order(StringComparer.Ordinal))}");
}
