using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

// Rows as the database returns them (Dapper maps snake_case columns), and their conversion to records.

internal sealed class DagRow
{
    public string DagId { get; set; } = "";
    public string LatestVersion { get; set; } = "";
    public string FilePath { get; set; } = "";
    public string? Schedule { get; set; }
    public long IsPaused { get; set; }
    public long IsActive { get; set; }
    public long UpdatedAt { get; set; }

    public DagRecord ToRecord() => new(new DagId(DagId), LatestVersion, FilePath, Schedule, IsPaused != 0, IsActive != 0, Ms.At(UpdatedAt));
}

internal sealed class DagVersionRow
{
    public string DagId { get; set; } = "";
    public string Version { get; set; } = "";
    public string FilePath { get; set; } = "";
    public string Source { get; set; } = "";
    public long FirstSeenAt { get; set; }

    public DagVersionRecord ToRecord() => new(new DagId(DagId), Version, FilePath, Source, Ms.At(FirstSeenAt));
}

internal sealed class ImportErrorRow
{
    public string FilePath { get; set; } = "";
    public string Message { get; set; } = "";
    public long? Line { get; set; }
    public long? Col { get; set; }
    public long RecordedAt { get; set; }

    public ImportErrorRecord ToRecord() => new(FilePath, Message, (int?)Line, (int?)Col, Ms.At(RecordedAt));
}

internal sealed class RunRow
{
    public string RunId { get; set; } = "";
    public string DagId { get; set; } = "";
    public string DagVersion { get; set; } = "";
    public long LogicalDate { get; set; }
    public string RunType { get; set; } = "";
    public string State { get; set; } = "";
    public string Conf { get; set; } = "{}";
    public long CreatedAt { get; set; }
    public long? StartedAt { get; set; }
    public long? EndedAt { get; set; }
    public long? EventId { get; set; }

    public DagRunRecord ToRecord() => new(
        new RunId(RunId), new DagId(DagId), DagVersion, Ms.At(LogicalDate), Enum.Parse<Records.RunType>(RunType, ignoreCase: true),
        DagRunStates.TryParse(State, out var state) ? state : throw new InvalidDataException($"unknown run state '{State}'"),
        Conf, Ms.At(CreatedAt), Ms.At(StartedAt), Ms.At(EndedAt))
    {
        EventId = EventId,
    };
}

internal sealed class TaskInstanceRow
{
    public string RunId { get; set; } = "";
    public string TaskId { get; set; } = "";
    public string State { get; set; } = "";
    public long TryNumber { get; set; }
    public long MaxTries { get; set; }
    public string Queue { get; set; } = "";
    public long UpdatedAt { get; set; }
    public string? StateReason { get; set; }
    public long? NextTryAt { get; set; }
    public long? StartedAt { get; set; }
    public long? EndedAt { get; set; }
    public string? Pool { get; set; }
    public long PoolSlots { get; set; } = 1;
    public long PriorityWeight { get; set; } = 1;

    /// <summary>The columns <see cref="ToRecord"/> reads, for a SELECT from task_instances.</summary>
    public const string Columns =
        "run_id, task_id, state, try_number, max_tries, queue, updated_at, state_reason, next_try_at, started_at, ended_at, pool, pool_slots, priority_weight";

    public TaskInstanceRecord ToRecord() => new(
        new RunId(RunId), new TaskId(TaskId), StateRows.Parse(State), (int)TryNumber, (int)MaxTries, Queue, Ms.At(UpdatedAt),
        StateReason, Ms.At(NextTryAt), Ms.At(StartedAt), Ms.At(EndedAt), Pool, (int)PoolSlots, (int)PriorityWeight);
}

internal sealed class TryRow
{
    public string RunId { get; set; } = "";
    public string TaskId { get; set; } = "";
    public long TryNumber { get; set; }
    public string? WorkerId { get; set; }
    public long StartedAt { get; set; }
    public long? EndedAt { get; set; }
    public string? Outcome { get; set; }
    public string? Error { get; set; }
    public long? DurationMs { get; set; }
    public string? Host { get; set; }
    public string? BootId { get; set; }
    public long? Pid { get; set; }
    public long? ProcessStart { get; set; }
    public long? LeaseUntil { get; set; }

    public TaskTryRecord ToRecord() => new(
        new RunId(RunId), new TaskId(TaskId), (int)TryNumber, WorkerId, Ms.At(StartedAt), Ms.At(EndedAt), Outcome, Error, DurationMs,
        Pid is { } pid ? new TaskProcess(Host ?? "", BootId ?? "", (int)pid, ProcessStart ?? 0) : null)
    {
        LeaseUntil = Ms.At(LeaseUntil),
    };
}

internal sealed class StateChangeRow
{
    public string RunId { get; set; } = "";
    public string TaskId { get; set; } = "";
    public string FromState { get; set; } = "";
    public string ToState { get; set; } = "";
    public string? Reason { get; set; }
    public long At { get; set; }

    public TaskStateChange ToRecord() =>
        new(new RunId(RunId), new TaskId(TaskId), StateRows.Parse(FromState), StateRows.Parse(ToState), Reason, Ms.At(At));
}

internal sealed class LogRow
{
    public long At { get; set; }
    public string Level { get; set; } = "";
    public string Message { get; set; } = "";
}

internal sealed class OutputRow
{
    public string TaskId { get; set; } = "";
    public string Output { get; set; } = "";
}

internal static class StateRows
{
    public static TaskInstanceState Parse(string name) =>
        TaskInstanceStates.TryParse(name, out var state) ? state : throw new InvalidDataException($"unknown task state '{name}'");
}
