using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Authoring;
using Orchestrator.Core.Templating;

namespace Orchestrator.Execution.Shell;

/// <summary>How a shell try's process is started: the command line, its working folder and its environment.</summary>
internal static class ShellStartInfo
{
    /// <summary>Holds the command until its start is released, then runs it in place (<c>exec</c>: same pid and group).
    /// No line (the engine died or refused to record the group): nothing runs.</summary>
    internal const string GateScript = "IFS= read -r _ || exit 125; exec bash -c \"$1\"";

    /// <summary>PATH when the engine has none.</summary>
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static ProcessStartInfo Create(TaskContext context, RenderedShellCommand command, ShellTaskOptions options)
    {
        var cwd = context.Args.GetPath("cwd") ?? context.DagFolder;
        // setsid makes bash the leader of a new process group, so a timeout can kill everything it started.
        var start = new ProcessStartInfo("setsid")
        {
            WorkingDirectory = cwd,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // .NET ignores SIGPIPE, and an ignored signal stays ignored across exec (bash cannot even trap it back):
        // without this, `yes | head -1` would make `yes` fail with "Broken pipe" instead of ending quietly.
        start.ArgumentList.Add("env");
        start.ArgumentList.Add("--default-signal=PIPE");
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add("-c");
        // The command waits for one line on stdin (ShellTaskExecutor sends it once the process group is recorded with
        // the try), then becomes the task's bash in the same process: an engine killed in between leaves either no
        // command running or a recorded group the next engine stops. After the line, stdin is at end of file.
        start.ArgumentList.Add(GateScript);
        start.ArgumentList.Add("bash");
        start.ArgumentList.Add(command.Command);
        Fill(start.Environment, context, command, options);
        return start;
    }

    /// <summary>A clean environment, in order (later wins): PATH, HOME, LANG, TZ; the try's ORCHESTRATOR_*
    /// variables; the engine variables the operator allow-lists; the DAG's and task's <c>env</c>; last the
    /// template values, so nothing can shadow them. Never the rest of the engine's environment.</summary>
    private static void Fill(IDictionary<string, string?> environment, TaskContext context, RenderedShellCommand command, ShellTaskOptions options)
    {
        environment.Clear();
        environment["PATH"] = Engine("PATH") ?? DefaultPath;
        environment["HOME"] = Engine("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        environment["LANG"] = Engine("LANG") ?? "C.UTF-8";
        if (Engine("TZ") is { } zone)
        {
            environment["TZ"] = zone;
        }

        environment["ORCHESTRATOR_DAG_ID"] = context.DagId.Value;
        environment["ORCHESTRATOR_RUN_ID"] = context.RunId.Value;
        environment["ORCHESTRATOR_TASK_ID"] = context.TaskId.Value;
        environment["ORCHESTRATOR_TRY_NUMBER"] = context.TryNumber.ToString(CultureInfo.InvariantCulture);
        environment["ORCHESTRATOR_LOGICAL_DATE"] = Iso(context.LogicalDate);
        environment["ORCHESTRATOR_DATA_INTERVAL_START"] = Iso(context.Run.DataInterval.Start);
        environment["ORCHESTRATOR_DATA_INTERVAL_END"] = Iso(context.Run.DataInterval.End);

        if (options.AllowedEnvironment.Count > 0)
        {
            foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
            {
                if (variable.Key is string name && options.Allows(name))
                {
                    environment[name] = variable.Value as string;
                }
            }
        }

        // args.env holds the DAG's env with the task's on top (merged when the DAG was built); its templates
        // were rendered as plain text, which is safe: a variable's value is never parsed by the shell.
        if (context.Args.GetObject("env") is { } env)
        {
            foreach (var variable in env.EnumerateObject())
            {
                environment[variable.Name] = variable.Value.ValueKind == JsonValueKind.String
                    ? variable.Value.GetString()
                    : variable.Value.GetRawText();
            }
        }

        foreach (var (name, value) in command.Environment)
        {
            environment[name] = value;
        }
    }

    private static string? Engine(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static string Iso(DateTimeOffset date) => date.ToString("O", CultureInfo.InvariantCulture);
}
