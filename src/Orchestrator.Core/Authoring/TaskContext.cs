using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Model;

namespace Orchestrator.Core.Authoring;

/// <summary>What a running try knows: identities, its rendered arguments, params, upstream outputs, a logger
/// whose lines are stored with the try, and the clock.</summary>
public sealed class TaskContext
{
    public required DagId DagId { get; init; }

    public required RunId RunId { get; init; }

    public required TaskId TaskId { get; init; }

    /// <summary>1 for the first try.</summary>
    public required int TryNumber { get; init; }

    public required int MaxTries { get; init; }

    public required DateTimeOffset LogicalDate { get; init; }

    /// <summary>The task's arguments with templates already rendered; always a JSON object.</summary>
    public required JsonElement Args { get; init; }

    /// <summary>The DAG's params with the run's conf applied.</summary>
    public required IReadOnlyDictionary<string, JsonElement> Params { get; init; }

    /// <summary>Outputs of finished tasks of this run, by task id.</summary>
    public required IReadOnlyDictionary<TaskId, JsonElement> Outputs { get; init; }

    /// <summary>Lines logged here are stored with this try and shown by <c>tasks logs</c>.</summary>
    public required ILogger Logger { get; init; }

    public required TimeProvider Time { get; init; }

    /// <summary>The folder of the DAG file; relative paths in args resolve against it.</summary>
    public required string DagFolder { get; init; }

    /// <summary>A string argument, or null when absent.</summary>
    public string? GetArg(string name) =>
        Args.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
            : null;

    /// <summary>A path argument resolved against the DAG folder.</summary>
    public string? GetPathArg(string name) =>
        GetArg(name) is { } path ? Path.GetFullPath(Path.Combine(DagFolder, path)) : null;
}
