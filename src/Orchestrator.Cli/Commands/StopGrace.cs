using System.CommandLine;
using Orchestrator.Core.Durations;

namespace Orchestrator.Cli.Commands;

/// <summary><c>--stop-grace</c> of the commands that run tasks (<c>standalone</c>, <c>worker</c>, <c>scheduler</c>).</summary>
internal static class StopGrace
{
    public static Option<string> CreateOption() => new("--stop-grace")
    {
        Description = "On Ctrl+C or SIGTERM, how long running tasks may go on before they are stopped and recorded as interrupted (they run again without using up a retry).",
        DefaultValueFactory = _ => "30s",
    };

    public static TimeSpan? Read(ParseResult parse, Option<string> option) =>
        DurationParser.TryParse(parse.GetValue(option)!, out var grace) && grace <= CliApp.LongestStop ? grace : null;

    public static string Error(ParseResult parse, Option<string> option) =>
        $"--stop-grace '{parse.GetValue(option)}' must be a duration such as 30s, 5m or PT1M, at most {DurationParser.Format(CliApp.LongestStop)}";
}
