namespace Orchestrator.Core.Graph;

public enum GraphErrorKind
{
    DuplicateId,
    SelfDependency,
    UnknownDependency,
    Cycle,
}

/// <summary>A structural problem. <see cref="Task"/> is the index of the task declaring it and
/// <see cref="Dependency"/> the index within its dependsOn list (-1 when not about one entry).</summary>
public sealed record GraphError(GraphErrorKind Kind, int Task, int Dependency, string Message);

/// <summary>The graph when the tasks form a valid DAG; otherwise every error found.</summary>
public sealed record GraphBuildResult(DagGraph? Graph, IReadOnlyList<GraphError> Errors);
