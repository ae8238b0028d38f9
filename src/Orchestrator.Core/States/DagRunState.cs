namespace Orchestrator.Core.States;

/// <summary>The state of a DAG run.</summary>
public enum DagRunState
{
    /// <summary><c>queued</c>: created, waiting for a free slot under max active runs.</summary>
    Queued,
    /// <summary><c>running</c>: tasks are being decided and executed.</summary>
    Running,
    /// <summary><c>success</c>: every leaf task succeeded or was skipped.</summary>
    Success,
    /// <summary><c>failed</c>: a leaf task failed or is upstream_failed.</summary>
    Failed,
}

public static class DagRunStates
{
    public static string ToName(this DagRunState state) => state switch
    {
        DagRunState.Queued => "queued",
        DagRunState.Running => "running",
        DagRunState.Success => "success",
        DagRunState.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static bool TryParse(string? name, out DagRunState state)
    {
        foreach (var candidate in Enum.GetValues<DagRunState>())
        {
            if (candidate.ToName() == name)
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    public static bool IsFinished(this DagRunState state) => state is DagRunState.Success or DagRunState.Failed;
}
