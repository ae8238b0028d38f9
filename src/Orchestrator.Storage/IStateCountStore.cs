using Orchestrator.Core.States;

namespace Orchestrator.Storage;

/// <summary>Counts across the whole store, for /metrics and /health: cheap (GROUP BY on indexed columns), and
/// the same in any process on the store, with or without an engine in it.</summary>
public interface IStateCountStore
{
    Task<StateCounts> CountAsync(CancellationToken cancellationToken);
}

/// <summary>Runs and task instances by state (states with none are absent), DAGs whose file is present, and
/// import errors recorded.</summary>
public sealed record StateCounts(
    IReadOnlyDictionary<DagRunState, long> Runs,
    IReadOnlyDictionary<TaskInstanceState, long> TaskInstances,
    long ActiveDags,
    long ImportErrors);
