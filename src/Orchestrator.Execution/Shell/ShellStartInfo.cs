using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Execution.TaskTypes;

namespace Orchestrator.Execution.Shell;

/// <summary>How a shell try's process is started: the command line, its working folder and its environment.</summary>
internal static class ShellStartInfo
{
    public static ProcessStartInfo Create(TaskExecution execution, string command)
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
}
