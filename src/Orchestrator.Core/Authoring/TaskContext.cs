using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Model;
using Orchestrator.Core.Templating;

namespace Orchestrator.Core.Authoring;

/// <summary>What one try of one task gets, whether a built-in task type's executor or a C# task class runs it: the
/// run it belongs to (<see cref="Run"/>, shared, not copied), the task, the try number, its args with templates
/// rendered (read through <see cref="Args"/>'s typed helpers), a logger whose lines are stored with the try, and the
/// clock. Services (stores, the artifact store, …) come through the constructor, not from here.</summary>
public sealed class TaskContext
{
    public required RunContext Run { get; init; }

    public required TaskDefinition Task { get; init; }

    /// <summary>1 for the first try.</summary>
    public required int TryNumber { get; init; }

    /// <summary>Tries this task may use in this run (its retries + 1, plus one per try lost when an engine stopped).</summary>
    public required int MaxTries { get; init; }

    /// <summary>The task's args after template rendering. Args the task type renders itself (a shell task's
    /// <c>command</c>) are left as written; <see cref="Templates"/> renders them.</summary>
    public required TaskArgs Args { get; init; }

    /// <summary>The values this try's templates are rendered from, for args an executor renders itself.</summary>
    public required TemplateScope Templates { get; init; }

    /// <summary>Lines logged here are stored with this try and shown by <c>tasks logs</c>.</summary>
    public required ILogger Logger { get; init; }

    /// <summary>The try's log, for executors that write raw lines (a shell's stdout and stderr).</summary>
    public required ITaskLog Log { get; init; }

    public required TimeProvider Time { get; init; }

    /// <summary>How long a cancelled command gets to exit after SIGTERM before SIGKILL.</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>For executors that start processes: called once a process group runs, with its identity, so it is
    /// recorded with the try and can be stopped by a later engine if this one dies. If it throws, the executor must
    /// kill the group and fail. Null where nothing records processes.</summary>
    public Func<TaskProcess, CancellationToken, Task>? OnProcessStarted { get; init; }

    public DagId DagId => Run.DagId;

    public RunId RunId => Run.RunId;

    public TaskId TaskId => Task.Id;

    public DateTimeOffset LogicalDate => Run.LogicalDate;

    /// <summary>The DAG's params with the run's conf applied.</summary>
    public IReadOnlyDictionary<string, JsonElement> Params => Run.Params;

    /// <summary>Outputs of finished tasks of this run, by task id.</summary>
    public IReadOnlyDictionary<TaskId, JsonElement> Outputs => Run.Outputs;

    /// <summary>The folder of the DAG file; <see cref="TaskArgs.GetPath"/> resolves relative paths against it.</summary>
    public string DagFolder => Run.DagFolder;
}
