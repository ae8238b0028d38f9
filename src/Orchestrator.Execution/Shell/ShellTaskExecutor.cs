using System.Diagnostics;
using System.Text.Json;
using Orchestrator.Core.Authoring;
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

    public async Task<JsonElement?> ExecuteAsync(TaskContext context, CancellationToken cancellationToken)
    {
        var command = context.Args.RequireString("command");
        // Template values travel as environment variables the command refers to, never as command text.
        var rendered = ShellTemplate.Render(command, context.Templates);
        using var process = new Process { StartInfo = ShellStartInfo.Create(context, rendered, _options) };
        process.Start();

        var output = new ShellOutputTracker(context.Log.Limits.MaxOutputBytes);
        var stdout = ShellOutputPump.PumpAsync(process.StandardOutput, output.KeepChars(context.Log.Limits.MaxLineChars), (line, length) =>
        {
            context.Log.Write("stdout", line, length - line.Length);
            output.OnLine(line, length);
        });
        var stderr = ShellOutputPump.PumpAsync(process.StandardError, context.Log.Limits.MaxLineChars,
            (line, length) => context.Log.Write("stderr", line, length - line.Length));

        try
        {
            await ReportStartedAsync(process, context, cancellationToken);
            await ReleaseAsync(process);
            await process.WaitForExitAsync(cancellationToken);
            // A backgrounded child can hold the pipes open after bash exits; the timeout still applies then.
            await Task.WhenAll(stdout, stderr).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await ProcessGroup.KillAsync(process, context.KillGrace);
            context.Log.Write("error", "command cancelled: its process group was killed");
            throw;
        }
        catch (Exception)
        {
            // Recording the process (or reading its output) failed: the group must not outlive the try.
            await ProcessGroup.KillAsync(process, context.KillGrace);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new TaskFailedException($"command exited with code {process.ExitCode}");
        }

        return output.Result();
    }

    /// <summary>Lets the command run (see <see cref="ShellStartInfo.GateScript"/>) and ends its stdin.</summary>
    private static async Task ReleaseAsync(Process process)
    {
        try
        {
            await process.StandardInput.WriteLineAsync();
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The shell is gone already (killed from outside): its exit code tells the try how it ended.
        }
    }

    private static Task ReportStartedAsync(Process process, TaskContext context, CancellationToken cancellationToken) =>
        context.OnProcessStarted is { } report && LocalMachine.DescribeGroup(process.Id) is { } group
            ? report(group, cancellationToken)
            : Task.CompletedTask;
}
