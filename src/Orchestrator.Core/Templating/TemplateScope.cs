using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.Secrets;

namespace Orchestrator.Core.Templating;

/// <summary>The values templates are rendered from for one try.</summary>
public sealed record TemplateScope(
    DagId DagId,
    RunId RunId,
    DateTimeOffset LogicalDate,
    TaskId TaskId,
    int TryNumber,
    IReadOnlyDictionary<string, JsonElement> Params,
    IReadOnlyDictionary<TaskId, JsonElement> Outputs)
{
    private readonly DateTimeOffset? _dataIntervalStart;
    private readonly DateTimeOffset? _dataIntervalEnd;

    /// <summary><c>{{ run.dataIntervalStart }}</c>; the logical date unless set (manual runs: an empty interval).</summary>
    public DateTimeOffset DataIntervalStart
    {
        get => _dataIntervalStart ?? LogicalDate;
        init => _dataIntervalStart = value;
    }

    /// <summary><c>{{ run.dataIntervalEnd }}</c>; the logical date unless set.</summary>
    public DateTimeOffset DataIntervalEnd
    {
        get => _dataIntervalEnd ?? LogicalDate;
        init => _dataIntervalEnd = value;
    }

    /// <summary>Where <c>{{ var.NAME }}</c> and <c>{{ conn.NAME.FIELD }}</c> come from. Default: none.</summary>
    public ISecretValues Secrets { get; init; } = NoSecretValues.Instance;

    /// <summary>The DAG's own param values, as written in its file. A <c>{{ params.x | raw }}</c> takes only these: a run
    /// whose conf changes <c>x</c> fails instead of inserting the conf's text as shell syntax. Null: not checked.</summary>
    public IReadOnlyDictionary<string, JsonElement>? DagParams { get; init; }
}

/// <summary>A template that cannot be rendered: an unknown param, a missing output or field.</summary>
public sealed class TemplateException : Exception
{
    public TemplateException(string message)
        : base(message)
    {
    }

    public TemplateException()
    {
    }

    public TemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
