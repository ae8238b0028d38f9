using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.Schedules;
using Orchestrator.Core.Secrets;

namespace Orchestrator.Core.Authoring;

/// <summary>One DAG run as every try of it sees it: who it is, which period of data it stands for, its params and the
/// outputs of its finished tasks. Built once per run (by the engine, or by <c>dags test</c>) and shared by all its
/// tries: <see cref="TaskContext"/> holds it rather than copying its fields.</summary>
public sealed record RunContext
{
    public required DagId DagId { get; init; }

    public required RunId RunId { get; init; }

    public required DateTimeOffset LogicalDate { get; init; }

    /// <summary>The period of data this run stands for (<c>{{ run.dataIntervalStart|End }}</c>). Default: the logical
    /// date alone, as for a manual run.</summary>
    public DataInterval DataInterval
    {
        get => _dataInterval ?? new DataInterval(LogicalDate, LogicalDate);
        init => _dataInterval = value;
    }

    /// <summary>The DAG's params with the run's conf applied.</summary>
    public required IReadOnlyDictionary<string, JsonElement> Params { get; init; }

    /// <summary>The DAG's own params (before conf): what a <c>| raw</c> template may insert. Null: not checked.</summary>
    public IReadOnlyDictionary<string, JsonElement>? DagParams { get; init; }

    /// <summary>Outputs of the run's finished tasks, by task id. A live view: it grows as tasks finish, and each try
    /// reads it when its templates are rendered.</summary>
    public required IReadOnlyDictionary<TaskId, JsonElement> Outputs { get; init; }

    /// <summary>The folder of the DAG file: relative paths in args, and shell working folders, start there.</summary>
    public required string DagFolder { get; init; }

    /// <summary>Where each try gets its Variables, Connections and secret masker. Null: none.</summary>
    public ITrySecretsSource? Secrets { get; init; }

    /// <summary>Caps on each try's log lines, log and output.</summary>
    public LogLimits LogLimits { get; init; } = LogLimits.Default;

    private readonly DataInterval? _dataInterval;
}
