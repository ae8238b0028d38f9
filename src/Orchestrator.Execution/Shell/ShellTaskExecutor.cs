using System.Diagnostics;
using System.Text.Json;
using Orchestrator.Core.Templating;
using Orchestrator.Execution.TaskTypes;

namespace Orchestrator.Execution.Shell;

/// <summary><c>shell</c>: runs <c>args.command</c> with bash in its own process group. Non-zero exit fails the
/// try; stdout and stderr go to the try's log line by line; the last stdout line is the output.
/// Optional args: <c>env</c> (object of variables), <c>cwd</c> (relative to the DAG folder).</summary>
internal sealed class ShellTaskExecutor : ITaskExecutor
{
    private readonly ShellTaskOptions _options;

    public ShellTaskExecutor(ShellTaskOptions? options = null) => _options = options ?? new ShellTaskOptions();

    public async Task<JsonElement?> ExecuteAsync(TaskExecution execution, CancellationToken cancellationToken)
    {
        var command = execution.StringArg("command")
            ?? throw new TaskFailedException($"task '{execution.Task.Id}': args.command (a string) is required for shell tasks");
        // Template values travel as environment variables the command refers to, never as command text.
        var rendered = ShellTemplate.Render(command, execution.Templates);
        using var process = new Process { StartInfo = ShellStartInfo.Create(execution, rendered, _options) };
        process.Start();

        var output = new ShellOutputTracker(execution.Log.Limits.MaxOutputBytes);
        var stdout = ShellOutputPump.PumpAsync(process.StandardOutput, output.KeepChars(execution.Log.Limits.MaxLineChars), (line, length) =>
        {
            execution.Log.Write("stdout", line, length - line.Length);
            output.OnLine(line, length);
        });
        var stderr = ShellOutputPump.PumpAsync(process.StandardError, execution.Log.Limits.MaxLineChars,
            (line, length) => execution.Log.Write("stderr", line, length - line.Length));

        try
        {
            await ReportStartedAsync(process, execution, cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            // A backgrounded child can hold the pipes open after bash exits; the timeout still applies then.
            await Task.WhenAll(stdout, stderr).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await ProcessGroup.KillAsync(process, execution.KillGrace);
            execution.Log.Write("error", "command cancelled: its process group was killed");
            throw;
        }
        catch (Exception)
        {
            // Recording the process (or reading its output) failed: the group must not outlive the try.
            await ProcessGroup.KillAsync(process, execution.KillGrace);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new TaskFailedException($"command exited with code {process.ExitCode}");
        }

        return output.Result();
    }

    private static Task ReportStartedAsync(Process process, TaskExecution execution, CancellationToken cancellationToken) =>
        execution.OnProcessStarted is { } report && LocalMachine.DescribeGroup(process.Id) is { } group
            ? report(group, cancellationToken)
            : Task.CompletedTask;
}
