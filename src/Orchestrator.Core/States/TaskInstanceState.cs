namespace Orchestrator.Core.States;

/// <summary>The state of one task in one run (Airflow's task-instance states).</summary>
public enum TaskInstanceState
{
    /// <summary><c>none</c>: not yet decided; waiting for upstream tasks.</summary>
    None,
    /// <summary><c>scheduled</c>: its trigger rule is met; about to be queued.</summary>
    Scheduled,
    /// <summary><c>queued</c>: handed to the worker queue.</summary>
    Queued,
    /// <summary><c>running</c>: a worker is executing a try.</summary>
    Running,
    /// <summary><c>success</c>: a try succeeded.</summary>
    Success,
    /// <summary><c>failed</c>: the last allowed try failed.</summary>
    Failed,
    /// <summary><c>skipped</c>: its trigger rule can no longer be met because of skipped or successful upstreams.</summary>
    Skipped,
    /// <summary><c>upstream_failed</c>: its trigger rule can no longer be met because upstream tasks failed.</summary>
    UpstreamFailed,
    /// <summary><c>up_for_retry</c>: a try failed and another is due at the next-try time.</summary>
    UpForRetry,
    /// <summary><c>removed</c>: the task no longer exists in the DAG version the run uses.</summary>
    Removed,
    /// <summary><c>deferred</c>: waiting on an external trigger.</summary>
    Deferred,
}

/// <summary>Snake_case names of <see cref="TaskInstanceState"/> and which states are final.</summary>
public static class TaskInstanceStates
{
    private static readonly Dictionary<TaskInstanceState, string> Names = new()
    {
        [TaskInstanceState.None] = "none",
        [TaskInstanceState.Scheduled] = "scheduled",
        [TaskInstanceState.Queued] = "queued",
        [TaskInstanceState.Running] = "running",
        [TaskInstanceState.Success] = "success",
        [TaskInstanceState.Failed] = "failed",
        [TaskInstanceState.Skipped] = "skipped",
        [TaskInstanceState.UpstreamFailed] = "upstream_failed",
        [TaskInstanceState.UpForRetry] = "up_for_retry",
        [TaskInstanceState.Removed] = "removed",
        [TaskInstanceState.Deferred] = "deferred",
    };

    private static readonly Dictionary<string, TaskInstanceState> ByName =
        Names.ToDictionary(pair => pair.Value, pair => pair.Key, StringComparer.Ordinal);

    public static string ToName(this TaskInstanceState state) => Names[state];

    public static bool TryParse(string? name, out TaskInstanceState state) => ByName.TryGetValue(name ?? "", out state);

    /// <summary>Whether the state is final for the run (a clear may still reset it).</summary>
    public static bool IsFinished(this TaskInstanceState state) => state is TaskInstanceState.Success
        or TaskInstanceState.Failed or TaskInstanceState.Skipped or TaskInstanceState.UpstreamFailed
        or TaskInstanceState.Removed;
}
