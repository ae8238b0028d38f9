using System.CommandLine;
using System.Text.Json;
using Orchestrator.Application;
using Orchestrator.Cli.Hosting;
using Orchestrator.Cli.Output;
using Orchestrator.Core.Alerts;
using Orchestrator.Core.Model;
using Orchestrator.Storage.Records;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>alerts list</c>: the alerts recorded in the metadata store (callbacks and notify tasks), newest first,
/// with how their webhook delivery went. A URL target's query values are masked, as in the API.</summary>
internal static class AlertsCommand
{
    public static Command Create(CliConsole console)
    {
        var alerts = new Command("alerts", "Alerts raised by callbacks and notify tasks.");
        alerts.Subcommands.Add(List(console));
        return alerts;
    }

    private static Command List(CliConsole console)
    {
        var dagOption = new Option<string?>("--dag") { Description = "Only the alerts of this DAG." };
        var stateOption = new Option<string?>("--state") { Description = "Only alerts in this state: recorded, pending, sent or failed." };
        var limit = new Option<int>("--limit") { Description = "How many alerts at most.", DefaultValueFactory = _ => 100 };
        var command = new Command("list", "List alerts (id, time, kind, severity, state, DAG, run, task, message), newest first.");
        command.Options.Add(dagOption);
        command.Options.Add(stateOption);
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

            AlertState? state = null;
            if (parse.GetValue(stateOption) is { } stateText)
            {
                if (!AlertStates.TryParse(stateText, out var parsed))
                {
                    await console.Error.WriteLineAsync($"error: --state must be one of recorded, pending, sent, failed, not '{stateText}'");
                    return 2;
                }

                state = parsed;
            }

            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            return await ApplicationProblems.RunAsync(console, async () =>
            {
                var page = PageRequest.From(0, parse.GetValue(limit));
                var (items, _) = await host.Store.Alerts.ListAsync(new AlertQuery(null, dagId, state, page.Offset, page.Limit), cancellationToken);
                if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
                {
                    await console.Output.WriteLineAsync(JsonSerializer.Serialize(items.Select(alert => new
                    {
                        id = alert.Id,
                        kind = alert.Kind,
                        severity = alert.Severity,
                        message = alert.Message,
                        target = AlertTargetMasking.Mask(alert.Target) is { } target ? JsonDocument.Parse(target).RootElement.Clone() : (JsonElement?)null,
                        state = AlertStates.Name(alert.State),
                        attempts = alert.Attempts,
                        lastError = alert.LastError,
                        createdAt = alert.CreatedAt,
                        sentAt = alert.SentAt,
                        dagId = alert.DagId,
                        runId = alert.RunId,
                        taskId = alert.TaskId,
                        eventId = alert.EventId,
                    }), JsonOutput.Options));
                    return 0;
                }

                var table = new Table().Border(TableBorder.Rounded).Title($"{items.Count} alert(s)");
                table.AddColumns("id", "created", "kind", "severity", "state", "DAG", "run", "task", "message");
                foreach (var alert in items)
                {
                    table.AddRow($"{alert.Id}", $"{alert.CreatedAt:u}", alert.Kind, alert.Severity,
                        AlertStates.Name(alert.State) + (alert.LastError is { } error ? $": {Markup.Escape(error)}" : ""),
                        Markup.Escape(alert.DagId ?? ""), Markup.Escape(alert.RunId ?? ""), Markup.Escape(alert.TaskId ?? ""), Markup.Escape(alert.Message));
                }

                console.Out.Write(table);
                return 0;
            });
        });
        return command;
    }
}
