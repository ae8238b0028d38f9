using Orchestrator.Core.Model;
using Orchestrator.Execution.Shell;

namespace Orchestrator.Execution.TaskTypes;

/// <summary>Task type name → executor. The loaders check DAG files against <see cref="KnownTypes"/>.</summary>
public sealed class TaskTypeRegistry
{
    private readonly Dictionary<string, ITaskExecutor> _executors = new(StringComparer.Ordinal);

    /// <summary>The built-in types: <c>empty</c>, <c>shell</c> and C# task classes.</summary>
    public static TaskTypeRegistry CreateDefault() => new TaskTypeRegistry()
        .Register("empty", new EmptyTaskExecutor())
        .Register("shell", new ShellTaskExecutor())
        .Register(TaskDefinition.CSharpTaskType, new CSharpTaskExecutor());

    public TaskTypeRegistry Register(string type, ITaskExecutor executor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentNullException.ThrowIfNull(executor);
        _executors[type] = executor;
        return this;
    }

    public IReadOnlySet<string> KnownTypes => _executors.Keys.ToHashSet(StringComparer.Ordinal);

    public ITaskExecutor Get(string type) =>
        _executors.TryGetValue(type, out var executor)
            ? executor
            : throw new TaskFailedException($"no executor for task type '{type}'; known: {string.Join(", ", _executors.Keys.Order(StringComparer.Ordinal))}");
}
