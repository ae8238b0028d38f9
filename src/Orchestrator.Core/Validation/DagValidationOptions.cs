using Orchestrator.Core.Graph;
using Orchestrator.Core.Model;

namespace Orchestrator.Core.Validation;

/// <summary>What the validator can't know by itself.</summary>
public sealed class DagValidationOptions
{
    /// <summary>Task type names that can run here; null skips the check (e.g. when only the shape matters).</summary>
    public IReadOnlySet<string>? KnownTaskTypes { get; init; }
}

/// <summary>The DAG and its graph when valid; otherwise every error found.</summary>
public sealed record DagValidationResult(DagDefinition? Dag, DagGraph? Graph, IReadOnlyList<DagError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}
