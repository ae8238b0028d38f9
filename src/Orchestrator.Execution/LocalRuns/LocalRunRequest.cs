using System.Text.Json;
using Orchestrator.Core.Graph;
using Orchestrator.Core.Model;
using Orchestrator.Execution.Logs;

namespace Orchestrator.Execution.LocalRuns;

/// <summary>One run to execute in this process.</summary>
public sealed class LocalRunRequest
{
    public required DagDefinition Dag { get; init; }

    public required DagGraph Graph { get; init; }

    /// <summary>The folder of the DAG file: relative paths and shell working directories start there.</summary>
    public required string DagFolder { get; init; }

    /// <summary>Values overriding the DAG's params of the same name (a JSON object), or null.</summary>
    public JsonElement? Conf { get; init; }

    /// <summary>The run's logical date. Default: now.</summary>
    public DateTimeOffset? LogicalDate { get; init; }

    /// <summary>The run id. Default: <c>test__LOGICAL_DATE__SUFFIX</c>.</summary>
    public RunId? RunId { get; init; }

    /// <summary>Each try's Variables, Connections and secret masker. Default: none.</summary>
    public Core.Secrets.ITrySecretsSource? Secrets { get; init; }

    /// <summary>Caps on each try's log lines, log and output.</summary>
    public LogLimits LogLimits { get; init; } = LogLimits.Default;

    /// <summary>Called with every log line of every try as it is written (task, try number, line).</summary>
    public Action<TaskId, int, TaskLogLine>? OnLogLine { get; init; }
}
