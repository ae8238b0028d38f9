using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.Schedules;
using Orchestrator.Core.Secrets;
using Orchestrator.Core.States;
using Orchestrator.Execution.Logs;

namespace Orchestrator.Execution.Tries;

/// <summary>Everything needed to run one try of one task instance of one run.</summary>
public sealed record TaskInstanceRequest
{
    public required DagId DagId { get; init; }

    public required RunId RunId { get; init; }

    public required DateTimeOffset LogicalDate { get; init; }

    public required TaskDefinition Task { get; init; }

    /// <summary>The DAG's params with the run's conf applied.</summary>
    public required IReadOnlyDictionary<string, JsonElement> Params { get; init; }

    /// <summary>Outputs of the run's finished tasks (read when templates are rendered, at each try).</summary>
    public required IReadOnlyDictionary<TaskId, JsonElement> Outputs { get; init; }

    public required string DagFolder { get; init; }

    /// <summary>The number of the try to run (1 for the first).</summary>
    public int TryNumber { get; init; } = 1;

    /// <summary>Told (and awaited) when the try has started a process group, so it can be recorded and, after a
    /// crash, killed before the try is replaced. If it throws, the group is killed and the try fails.</summary>
    public Func<int, TaskProcess, CancellationToken, Task>? OnProcessStarted { get; init; }

    /// <summary>The run's data interval (<c>{{ run.dataIntervalStart|End }}</c>). Null: the logical date alone, as
    /// for a manual run.</summary>
    public DataInterval? DataInterval { get; init; }

    /// <summary>The DAG's own params (before conf): what a <c>| raw</c> template may insert. Null: not checked.</summary>
    public IReadOnlyDictionary<string, JsonElement>? DagParams { get; init; }

    /// <summary>Where each try gets its Variables, Connections and secret masker. Default: none.</summary>
    public ITrySecretsSource? SecretsSource { get; init; }

    /// <summary>Caps on a try's log lines, log and output.</summary>
    public LogLimits LogLimits { get; init; } = LogLimits.Default;

    /// <summary>Whether the try's record keeps its log lines (<c>dags test</c> replays them into the store; the engine
    /// has written them live already).</summary>
    public bool KeepLogLines { get; init; } = true;

    public TaskInstanceRequest WithTry(int tryNumber) => tryNumber == TryNumber ? this : this with { TryNumber = tryNumber };
}

/// <summary>The end of a task instance in a local run: success or failed, after all its tries.</summary>
public sealed record TaskInstanceResult(TaskInstanceState FinalState, IReadOnlyList<TryRecord> Tries, JsonElement? Output, string? Error);
