namespace Orchestrator.Core.Pools;

/// <summary>How a task's effective priority is computed from <c>priorityWeight</c>, with Airflow's names and meaning:
/// the task's own weight plus all its downstream tasks' (the default, so tasks that unblock more work go first), plus
/// all its upstream tasks' (runs that are further along finish first), or its own weight alone.</summary>
public enum WeightRule
{
    Downstream,
    Upstream,
    Absolute,
}
