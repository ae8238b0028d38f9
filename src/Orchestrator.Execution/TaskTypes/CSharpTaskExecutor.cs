using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Model;
using Orchestrator.Execution.Logs;

namespace Orchestrator.Execution.TaskTypes;

/// <summary>Runs a C# task class: a new instance per try, its return value serialised as the output.</summary>
internal sealed class CSharpTaskExecutor : ITaskExecutor
{
    public async Task<JsonElement?> ExecuteAsync(TaskExecution execution, CancellationToken cancellationToken)
    {
        var type = execution.Task.Implementation
            ?? throw new TaskFailedException($"task '{execution.Task.Id}' has no task class");
        var task = Activator.CreateInstance(type) as IDagTask
            ?? throw new TaskFailedException($"{type.FullName} does not implement {nameof(IDagTask)}");
        var context = new TaskContext
        {
            DagId = execution.DagId,
            RunId = execution.RunId,
            TaskId = execution.Task.Id,
            TryNumber = execution.TryNumber,
            MaxTries = execution.Task.Retry.MaxTries,
            LogicalDate = execution.LogicalDate,
            Args = execution.Args,
            Params = execution.Params,
            Outputs = execution.Outputs,
            Logger = new TryLogger(execution.Log),
            Time = execution.Time,
            DagFolder = execution.DagFolder,
        };

        var result = await task.ExecuteAsync(context, cancellationToken);
        return result is null ? null : JsonValues.FromObject(result);
    }
}
