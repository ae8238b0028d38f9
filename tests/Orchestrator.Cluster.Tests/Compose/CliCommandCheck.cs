using System.Text.RegularExpressions;
using Orchestrator.Cluster.Tests.Infrastructure.Processes;

namespace Orchestrator.Cluster.Tests.Compose;

/// <summary>Whether an argument list names a command the built CLI has, with options it takes: the CLI's own
/// <c>--help</c> for that command is asked (its usage line names the command; an unknown command gets the root's).</summary>
public static class CliCommandCheck
{
    /// <summary>Null when the CLI has the command and every <c>--option</c> used; else what is wrong.</summary>
    public static async Task<string?> ProblemAsync(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var path = args.TakeWhile(a => !a.StartsWith('-')).ToList();
        var logs = Directory.CreateTempSubdirectory("orchestrator-help-").FullName;
        try
        {
            await using var help = OrchestratorProcess.Start("help", [.. path, "--help"], new Dictionary<string, string?>(), logs);
            var code = await help.WaitForExitAsync(TimeSpan.FromSeconds(60));
            var text = help.StandardOutput;
            if (code != 0)
            {
                return $"`orchestrator {string.Join(' ', path)} --help` exited {code}:\n{help.Tail()}";
            }

            var usage = Regex.Match(text, @"Usage:\s*\n\s*(orchestrator[^\n]*)");
            var expected = string.Join(' ', ["orchestrator", .. path]);
            if (!usage.Success || !(usage.Groups[1].Value + " ").StartsWith(expected + " ", StringComparison.Ordinal))
            {
                return $"the CLI has no command `{string.Join(' ', path)}` (its help shows usage '{(usage.Success ? usage.Groups[1].Value : "none")}')";
            }

            var unknown = args.Where(a => a.StartsWith("--", StringComparison.Ordinal))
                .Where(option => !Regex.IsMatch(text, $@"(^|[\s,]){Regex.Escape(option)}([\s,<]|$)", RegexOptions.Multiline))
                .ToList();
            return unknown.Count == 0 ? null : $"`orchestrator {string.Join(' ', path)}` has no option {string.Join(", ", unknown)}";
        }
        finally
        {
            Directory.Delete(logs, recursive: true);
        }
    }
}
