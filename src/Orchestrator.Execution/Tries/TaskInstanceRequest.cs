using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.Secrets;
using Orchestrator.Core.States;

namespace Orchestrator.Execution.Tries;

/// <summary>Everything needed to run one task instance of one run, with all its tries.</summary>
public sealed class TaskInstanceRequest
{
    private readonly DateTimeOffset? _dataIntervalStart;
    private readonly DateTimeOffset? _dataIntervalEnd;

    public required DagId DagId { get; init; }

    public required RunId RunId { get; init; }

    public required DateTimeOffset LogicalDate { get; init; }

    public required TaskDefinition Task { get; init; }

    /// <summary>The DAG's params with the run's conf applied.</summary>
    public required IReadOnlyDictionary<string, JsonElement> Params { get; init; }

    /// <summary>Outputs of the run's finished tasks (read when templates are rendered, at each try).</summary>
    public required IReadOnlyDictionary<TaskId, JsonElement> Outputs { get; init; }

    public required string DagFolder { get; init; }

    /// <summary>The number of the first try to run: more than 1 when a task resumes after a lost try. The tries
    /// left are the task's total minus those already used.</summary>
    public int FirstTryNumber { get; init; } = 1;

    /// <summary><c>{{ run.dataIntervalStart }}</c> (see <see cref="Core.Schedules.DataInterval"/>); the logical date when not given.</summary>
    public DateTimeOffset DataIntervalStart
    {
        get => _dataIntervalStart ?? LogicalDate;
        init => _dataIntervalStart = value;
    }

    /// <summary><c>{{ run.dataIntervalEnd }}</c>; the logical date when not given.</summary>
    public DateTimeOffset DataIntervalEnd
    {
        get => _dataIntervalEnd ?? LogicalDate;
        init => _dataIntervalEnd = value;
    }

    /// <summary>Where <c>{{ var.NAME }}</c> and <c>{{ conn.NAME.FIELD }}</c> are read from. Default: none.</summary>
    public ISecretValues Secrets { get; init; } = NoSecretValues.Instance;
}

/// <summary>The end of a task instance: success or failed, after all its tries.</summary>
public sealed record TaskInstanceResult(TaskInstanceState FinalState, IReadOnlyList<TryRecord> Tries, JsonElement? Output, string? Error);
