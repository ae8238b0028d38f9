using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Application;
using Orchestrator.Application.Queries.Events;
using Orchestrator.Cli.Hosting;
using Orchestrator.Cli.Output;
using Orchestrator.Secrets.Masking;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>events list</c>: drift, dataset and dagSucceeded events newest first, each with the runs it triggered
/// (the same answer as <c>GET /api/v1/events</c>).</summary>
internal static class EventsCommand
{
    public static Command Create(CliConsole console)
    {
        var kind = new Option<string?>("--kind") { Description = "Only events of this kind: drift, dataset or dagSucceeded." };
        var subject = new Option<string?>("--subject") { Description = "Only events about this model, dataset or DAG." };
        var limit = new Option<int>("--limit") { Description = "How many events at most.", DefaultValueFactory = _ => 50 };
        var list = new Command("list", "List events (kind, subject, source run, triggered runs), newest first.");
        list.Options.Add(kind);
        list.Options.Add(subject);
        list.Options.Add(limit);
        list.Options.Add(CommonOptions.Output);
        list.SetAction(async (parse, cancellationToken) =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var queries = new EventQueries(host.Store, host.Services.GetService<SensitiveNames>() ?? SensitiveNames.FromEnvironment());
            return await ApplicationProblems.RunAsync(console, async () =>
            {
                var events = (await queries.ListAsync(parse.GetValue(kind), parse.GetValue(subject), PageRequest.From(0, parse.GetValue(limit)), cancellationToken)).Items;
                if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
                {
                    await console.Output.WriteLineAsync(JsonSerializer.Serialize(events, JsonOutput.CamelCase));
                    return 0;
                }

                var table = new Table().Border(TableBorder.Rounded).Title($"{events.Count} event(s)");
                table.AddColumns("id", "kind", "subject", "at", "from run", "delivered", "triggered runs");
                foreach (var item in events)
                {
                    table.AddRow(item.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), item.Kind, Markup.Escape(item.Subject), $"{item.CreatedAt:u}",
                        Markup.Escape(item.Source.RunId ?? ""), item.DeliveredAt is null ? "pending" : $"{item.DeliveredAt:u}",
                        Markup.Escape(string.Join("\n", item.TriggeredRuns.Select(run => $"{run.RunId} ({run.State})"))));
                }

                console.Out.Write(table);
                return 0;
            });
        });

        var events = new Command("events", "Events that trigger DAGs (drift, dataset, dagSucceeded) and the runs they created.");
        events.Subcommands.Add(list);
        return events;
    }
}
