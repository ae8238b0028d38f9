using Orchestrator.Core.Durations;
using Orchestrator.Core.States;
using Orchestrator.Execution.LocalRuns;
using Spectre.Console;

namespace Orchestrator.Cli.Output;

/// <summary>A run as a table: one row per task in topological order, coloured by state.</summary>
internal static class RunResultTable
{
    private const int MaxDetail = 80;

    public static void Write(IAnsiConsole console, RunResult result)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{Markup.Escape(result.DagId.Value)} · {Markup.Escape(result.RunId.Value)}");
        table.AddColumns("task", "state", "tries", "duration", "output / reason");
        foreach (var task in result.Tasks)
        {
            var detail = task.Output?.GetRawText() ?? task.Reason ?? "";
            table.AddRow(
                Markup.Escape(task.TaskId.Value),
                $"[{Colour(task.State)}]{task.State.ToName()}[/]",
                task.Tries.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                task.Tries.Count == 0 ? "-" : DurationParser.Format(task.Duration),
                Markup.Escape(detail.Length > MaxDetail ? detail[..(MaxDetail - 1)] + "…" : detail));
        }

        console.Write(table);
        console.MarkupLine(
            $"Run [{Colour(result.State == DagRunState.Success ? TaskInstanceState.Success : TaskInstanceState.Failed)}]{result.State.ToName()}[/] " +
            $"in {DurationParser.Format(result.EndedAt - result.StartedAt)}");
    }

    private static string Colour(TaskInstanceState state) => state switch
    {
        TaskInstanceState.Success => "green",
        TaskInstanceState.Failed or TaskInstanceState.UpstreamFailed => "red",
        TaskInstanceState.Skipped => "grey",
        TaskInstanceState.UpForRetry => "yellow",
        _ => "default",
    };
}
