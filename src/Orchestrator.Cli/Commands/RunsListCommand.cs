using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Application;
using Orchestrator.Application.Queries.Runs;
using Orchestrator.Cli.Hosting;
using Orchestrator.Cli.Output;
using Orchestrator.Core.Model;
using Orchestrator.Secrets.Masking;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>runs list</c>: the runs recorded in the metadata store, newest first, through the application layer's
/// run queries. The JSON output carries each run's conf with the values of sensitive-looking keys masked.</summary>
internal static class RunsListCommand
{
    public static Command Create(CliConsole console)
    {
        var dagOption = new Option<string?>("--dag") { Description = "Only the runs of this DAG." };
        var limit = new Option<int>("--limit") { Description = "How many runs at most.", DefaultValueFactory = _ => 100 }; // 1–500, as a page of the API
        var command = new Command("list", "List DAG runs (run id, DAG, state, logical date, start, end), newest first.");
        command.Options.Add(dagOption);
        command.Options.Add(limit);
        command.Options.Add(CommonOptions.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dagId = parse.GetValue(dagOption);
            if (dagId is not null && !IdentifierRules.IsValid(dagId))
            {
                await console.Error.WriteLineAsync($"error: {IdentifierRules.Explain(dagId, "--dag")}");
                return 2;
            }

            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            // The application layer's run list: the same order, paging and conf masking as the API and the pages.
            var queries = new RunQueries(host.Store, host.Services.GetService<SensitiveNames>() ?? SensitiveNames.FromEnvironment());
            return await ApplicationProblems.RunAsync(console, async () =>
            {
                var page = PageRequest.From(0, parse.GetValue(limit));
                var runs = (await queries.ListWithConfAsync(dagId is null ? null : new DagId(dagId), null, page, cancellationToken)).Items;
                if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
                {
                    await console.Output.WriteLineAsync(JsonSerializer.Serialize(runs.Select(listed => new
                    {
                        runId = listed.Run.RunId,
                        dagId = listed.Run.DagId,
                        state = listed.Run.State,
                        logicalDate = listed.Run.LogicalDate,
                        startedAt = listed.Run.StartedAt,
                        endedAt = listed.Run.EndedAt,
                        runType = listed.Run.RunType,
                        @event = listed.Run.Event, // the event that created it (runType "event")
                        conf = listed.Conf, // values of keys that look sensitive (password, token, …) are ***
                    }), JsonOutput.CamelCase));
                    return 0;
                }

                var table = new Table().Border(TableBorder.Rounded).Title($"{runs.Count} run(s)");
                table.AddColumns("run id", "DAG", "state", "type", "logical date", "started", "ended");
                foreach (var run in runs.Select(listed => listed.Run))
                {
                    var type = run.Event is { } cause ? $"event #{cause.Id}: {cause.Kind} {cause.Subject}" : run.RunType;
                    table.AddRow(Markup.Escape(run.RunId), Markup.Escape(run.DagId), run.State, Markup.Escape(type),
                        $"{run.LogicalDate:u}", $"{run.StartedAt:u}", $"{run.EndedAt:u}");
                }

                console.Out.Write(table);
                return 0;
            });
        });
        return command;
    }
}
