using System.CommandLine;
using Orchestrator.Cli.Hosting;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;

namespace Orchestrator.Cli.Commands;

/// <summary><c>tasks logs</c>: the log of one try of a task instance (the last try by default).</summary>
internal static class TasksLogsCommand
{
    public static Command Create(CliConsole console)
    {
        var runArgument = new Argument<string>("run-id") { Description = "The run (see `runs list`)." };
        var taskArgument = new Argument<string>("task-id") { Description = "The task." };
        var tryOption = new Option<int?>("--try") { Description = "Which try (1 for the first). Default: the last one." };
        var command = new Command("logs", "Print the log of a task's try in a run.");
        command.Arguments.Add(runArgument);
        command.Arguments.Add(taskArgument);
        command.Options.Add(tryOption);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var taskText = parse.GetValue(taskArgument)!;
            if (!IdentifierRules.IsValid(taskText))
            {
                await console.Error.WriteLineAsync($"error: {IdentifierRules.Explain(taskText, "task id")}");
                return 2;
            }

            var runId = new RunId(parse.GetValue(runArgument)!);
            var taskId = new TaskId(taskText);
            await using var store = await MetadataStores.OpenAsync(parse, cancellationToken);
            var task = (await store.TaskInstances.ListAsync(runId, cancellationToken)).FirstOrDefault(t => t.TaskId == taskId);
            if (task is null)
            {
                await console.Error.WriteLineAsync(await store.Runs.GetAsync(runId, cancellationToken) is null
                    ? $"error: no run '{runId}' (see `runs list`)"
                    : $"error: run '{runId}' has no task '{taskId}'");
                return 2;
            }

            var tryNumber = parse.GetValue(tryOption) ?? task.TryNumber;
            if (tryNumber < 1 || tryNumber > task.TryNumber)
            {
                await console.Error.WriteLineAsync(task.TryNumber == 0
                    ? $"error: task '{taskId}' has not run in '{runId}' (it is {task.State.ToName()})"
                    : $"error: task '{taskId}' has tries 1 to {task.TryNumber} in '{runId}', not {tryNumber}");
                return 2;
            }

            foreach (var line in await store.Logs.ReadAsync(runId, taskId, tryNumber, cancellationToken))
            {
                await console.Output.WriteLineAsync($"{line.At:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} [{line.Level}] {line.Message}");
            }

            return 0;
        });
        return command;
    }
}
