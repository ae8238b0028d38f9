using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.Templating;
using Orchestrator.Execution.Logs;

namespace Orchestrator.Execution.TaskTypes;

/// <summary>What an executor gets for one try: the task, its args with templates rendered, and where to log.</summary>
public sealed class TaskExecution
{
    public required DagId DagId { get; init; }

    public required RunId RunId { get; init; }

    public required TaskDefinition Task { get; init; }

    public required int TryNumber { get; init; }

    public required DateTimeOffset LogicalDate { get; init; }

    /// <summary>The task's args after template rendering; always an object. Args the task type renders itself
    /// (<see cref="TaskTypeRegistry.ArgsRenderedByExecutor"/>, e.g. a shell task's command) are left as written.</summary>
    public required JsonElement Args { get; init; }

    /// <summary>The values this try's templates are rendered from, for args the executor renders itself.</summary>
    public required TemplateScope Templates { get; init; }

    public required IReadOnlyDictionary<string, JsonElement> Params { get; init; }

    public required IReadOnlyDictionary<TaskId, JsonElement> Outputs { get; init; }

    public required string DagFolder { get; init; }

    public required TryLog Log { get; init; }

    public required TimeProvider Time { get; init; }

    /// <summary>How long a cancelled command gets to exit after SIGTERM before SIGKILL (the engine's stop grace).</summary>
    public TimeSpan KillGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Called once a command's process group runs, with its identity, so it can be recorded with the try
    /// and stopped by a later engine if this one dies. Awaited before the command is waited for; if it throws, the
    /// group is killed and the try fails. Not called where the identity cannot be read (not Linux, already exited).</summary>
    public Func<TaskProcess, CancellationToken, Task>? OnProcessStarted { get; init; }

    public string? StringArg(string name) =>
        Args.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>A try that failed for a reason worth showing as is (no stack trace): bad args, a non-zero exit.</summary>
public sealed class TaskFailedException : Exception
{
    public TaskFailedException(string message)
        : base(message)
    {
    }

    public TaskFailedException()
    {
    }

    public TaskFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
