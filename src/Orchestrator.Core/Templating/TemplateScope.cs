using System.Text.Json;
using Orchestrator.Core.Model;

namespace Orchestrator.Core.Templating;

/// <summary>The values templates are rendered from for one try.</summary>
public sealed record TemplateScope(
    DagId DagId,
    RunId RunId,
    DateTimeOffset LogicalDate,
    TaskId TaskId,
    int TryNumber,
    IReadOnlyDictionary<string, JsonElement> Params,
    IReadOnlyDictionary<TaskId, JsonElement> Outputs);

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
