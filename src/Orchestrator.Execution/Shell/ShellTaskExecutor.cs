using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Execution.TaskTypes;

namespace Orchestrator.Execution.Shell;

/// <summary><c>shell</c>: runs <c>args.command</c> with bash in its own process group. Non-zero exit fails the
/// try; stdout and stderr go to the try's log line by line; the last stdout line is the output.
/// Optional args: <c>env</c> (object of variables), <c>cwd</c> (relative to the DAG folder).</summary>
internal sealed class ShellTaskExecutor : ITaskExecutor
{
    /// <summary>How long a cancelled command gets to exit after SIGTERM before SIGKILL.</summary>
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(2);

    public async Task<JsonElement?> ExecuteAsync(TaskExecution execution, CancellationToken cancellationToken)
    {
        var command = execution.StringArg("command")
            ?? throw new TaskFailedException($"task '{execution.Task.Id}': args.command (a string) is required for shell tasks");
        using var process = new Process { StartInfo = CreateStartInfo(execution, command) };
        process.Start();

        string? lastLine = null;
        var stdout = PumpAsync(process.StandardOutput, line =>
        {
            execution.Log.Write("stdout", line);
            if (!string.IsNullOrWhiteSpace(line))
            {
                lastLine = line;
            }
        });
        var stderr = PumpAsync(process.StandardError, line => execution.Log.Write("stderr", line));

        try
        {
            await process.WaitForExitAsync(cancellationToken);
            // A backgrounded child can hold the pipes open after bash exits; the timeout still applies then.
            await Task.WhenAll(stdout, stderr).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await ProcessGroup.KillAsync(process, KillGrace);
            execution.Log.Write("error", "command cancelled: its process group was killed");
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new TaskFailedException($"command exited with code {process.ExitCode}");
        }

        return ShellOutput.FromLastLine(lastLine);
    }

    private static ProcessStartInfo CreateStartInfo(TaskExecution execution, string command)
    {
        var cwd = execution.StringArg("cwd") is { } relative
            ? Path.GetFullPath(Path.Combine(execution.DagFolder, relative))
            : execution.DagFolder;
        // setsid makes bash the leader of a new process group, so a timeout can kill everything it started.
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = cwd,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        start.Environment["ORCHESTRATOR_DAG_ID"] = execution.DagId.Value;
        start.Environment["ORCHESTRATOR_RUN_ID"] = execution.RunId.Value;
        start.Environment["ORCHESTRATOR_TASK_ID"] = execution.Task.Id.Value;
        start.Environment["ORCHESTRATOR_TRY_NUMBER"] = execution.TryNumber.ToString(CultureInfo.InvariantCulture);
        start.Environment["ORCHESTRATOR_LOGICAL_DATE"] = execution.LogicalDate.ToString("O", CultureInfo.InvariantCulture);
        if (execution.Args.TryGetProperty("env", out var env) && env.ValueKind == JsonValueKind.Object)
        {
            foreach (var variable in env.EnumerateObject())
            {
                start.Environment[variable.Name] = variable.Value.ValueKind == JsonValueKind.String
                    ? variable.Value.GetString()
                    : variable.Value.GetRawText();
            }
        }

        return start;
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            onLine(line);
        }
    }
}
