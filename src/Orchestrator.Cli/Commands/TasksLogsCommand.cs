using System.CommandLine;
using Orchestrator.Cli.Hosting;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Cli.Commands;

/// <summary><c>tasks logs</c>: the log of one try of a task instance (the last try by default). A running try's
/// lines are in the store as the engine writes them (about every second); <c>--follow</c> polls for new ones until
/// the try ends.</summary>
internal static class TasksLogsCommand
{
    private static readonly TimeSpan FollowPollInterval = TimeSpan.FromMilliseconds(500);
    private const int Page = 1000;

    public static Command Create(CliConsole console)
    {
        var runArgument = new Argument<string>("run-id") { Description = "The run (see `runs list`)." };
        var taskArgument = new Argument<string>("task-id") { Description = "The task." };
        var tryOption = new Option<int?>("--try") { Description = "Which try (1 for the first). Default: the last one." };
        var followOption = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until the try ends." };
        var command = new Command("logs", "Print the log of a task's try in a run.");
        command.Arguments.Add(runArgument);
        command.Arguments.Add(taskArgument);
        command.Options.Add(tryOption);
        command.Options.Add(followOption);
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
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var store = host.Store;
            var task = (await store.TaskInstances.ListAsync(runId, cancellationToken)).FirstOrDefault(t => t.TaskId == taskId);
            if (task is null)
            {
                await console.Error.WriteLineAsync(await store.Runs.GetAsync(runId, cancellationToken) is null
                    ? $"error: no run '{runId}' (see `runs list`)"
                    : $"error: run '{runId}' has no task '{taskId}'");
                return 2;
            }

            if (parse.GetValue(followOption) && task.TryNumber == 0 && parse.GetValue(tryOption) is null)
            {
                // Following a task that has not started yet: wait for its first try, as `kubectl logs -f` waits.
                await console.Error.WriteLineAsync($"waiting for task '{taskId}' to start (it is {task.State.ToName()})");
                while (task.TryNumber == 0 && !task.State.IsFinished())
                {
                    await Task.Delay(FollowPollInterval, TimeProvider.System, cancellationToken);
                    task = (await store.TaskInstances.ListAsync(runId, cancellationToken)).First(t => t.TaskId == taskId);
                }
            }

            var tryNumber = parse.GetValue(tryOption) ?? task.TryNumber;
            if (tryNumber < 1 || tryNumber > task.TryNumber)
            {
                await console.Error.WriteLineAsync(task.TryNumber == 0
                    ? $"error: task '{taskId}' has not run in '{runId}' (it is {task.State.ToName()})"
                    : $"error: task '{taskId}' has tries 1 to {task.TryNumber} in '{runId}', not {tryNumber}");
                return 2;
            }

            if (parse.GetValue(followOption))
            {
                return await FollowAsync(console, store.Logs, store.TaskInstances, runId, taskId, tryNumber, cancellationToken);
            }

            foreach (var line in await store.Logs.ReadAsync(runId, taskId, tryNumber, cancellationToken))
            {
                await console.Output.WriteLineAsync(Format(line));
            }

            return 0;
        });
        return command;
    }

    private static async Task<int> FollowAsync(CliConsole console, ITaskLogStore logs, ITaskInstanceStore instances, RunId runId, TaskId taskId, int tryNumber, CancellationToken cancellationToken)
    {
        long lastId = 0;
        while (true)
        {
            // Checked before reading: the engine writes a try's last lines before recording its end, so once the end
            // is seen, one more read has them all.
            var ended = await HasEndedAsync(instances, runId, taskId, tryNumber, cancellationToken);
            IReadOnlyList<NumberedLogLine> page;
            do
            {
                page = await logs.ReadAfterAsync(runId, taskId, tryNumber, lastId, Page, cancellationToken);
                foreach (var line in page)
                {
                    await console.Output.WriteLineAsync(Format(line.Line));
                    lastId = line.Id;
                }

                await console.Output.FlushAsync(cancellationToken);
            }
            while (page.Count == Page);

            if (ended)
            {
                var attempt = (await instances.ListTriesAsync(runId, taskId, cancellationToken)).FirstOrDefault(t => t.TryNumber == tryNumber);
                await console.Error.WriteLineAsync($"try {tryNumber} ended: {attempt?.Outcome ?? "not recorded (the engine stopped; it is recorded when the engine starts again)"}");
                return 0;
            }

            await Task.Delay(FollowPollInterval, TimeProvider.System, cancellationToken);
        }
    }

    /// <summary>The try has an end, or the task has moved on from it (a later try, or it is no longer running).</summary>
    private static async Task<bool> HasEndedAsync(ITaskInstanceStore instances, RunId runId, TaskId taskId, int tryNumber, CancellationToken cancellationToken)
    {
        var attempt = (await instances.ListTriesAsync(runId, taskId, cancellationToken)).FirstOrDefault(t => t.TryNumber == tryNumber);
        if (attempt?.EndedAt is not null)
        {
            return true;
        }

        var task = (await instances.ListAsync(runId, cancellationToken)).First(t => t.TaskId == taskId);
        return task.TryNumber != tryNumber || task.State != TaskInstanceState.Running;
    }

    private static string Format(StoredLogLine line) => $"{line.At:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} [{line.Level}] {line.Message}";
}
