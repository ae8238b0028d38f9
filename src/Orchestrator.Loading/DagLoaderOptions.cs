namespace Orchestrator.Loading;

/// <summary>Options shared by the DAG loaders. Copied by each loader at construction.</summary>
public sealed class DagLoaderOptions
{
    /// <summary>Task type names that can run here (from the task-type registry); null skips that check.</summary>
    public IReadOnlySet<string>? KnownTaskTypes { get; init; }

    /// <summary>How long a C# DAG class may take to define its DAG before it is an import error. Default: 30 s.</summary>
    public TimeSpan DefineTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
