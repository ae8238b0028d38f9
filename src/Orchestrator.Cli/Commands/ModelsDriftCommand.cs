using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Orchestrator.Application;
using Orchestrator.Application.Queries.Ml;
using Orchestrator.Cli.Hosting;
using Orchestrator.Cli.Output;
using Orchestrator.Storage.Ml;
using Orchestrator.Storage.Records;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>models drift NAME [--limit N]</c>: the model's drift checks (ml.drift, ml.performance), newest first.
/// JSON (<c>--output json</c>): <c>[{id, model, version, at, dagId, runId, taskId, drifted, share, shareThreshold,
/// driftedFeatures[], referenceRows, currentRows, kind}]</c>, the DriftCheck of the REST API. The whole report of one
/// check is <c>GET /api/v1/models/NAME/drift/ID</c>. Exit codes as for <c>models</c>: 1 unknown model, 2 bad arguments.</summary>
internal static class ModelsDriftCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "The registered model's name (see `models list`)." };
        var limit = new Option<int>("--limit") { Description = "How many checks at most (1–500).", DefaultValueFactory = _ => 20 };
        var command = new Command("drift", "List a model's drift checks, newest first: verdict, share of drifted features, which ones, rows compared, run.");
        command.Arguments.Add(name);
        command.Options.Add(limit);
        command.Options.Add(CommonOptions.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var modelName = parse.GetValue(name)!;
            if (MlNames.ModelNameProblem(modelName) is { } problem)
            {
                return await MlCli.FailAsync(console, ModelsCommand.BadInput, problem);
            }

            var count = parse.GetValue(limit);
            if (count is < 1 or > PageRequest.MaxLimit)
            {
                return await MlCli.FailAsync(console, ModelsCommand.BadInput, $"--limit must be between 1 and {PageRequest.MaxLimit}, not {count}");
            }

            await using var store = await MetadataStores.OpenAsync(parse, cancellationToken);
            if (await store.Models.GetModelAsync(modelName, cancellationToken) is null)
            {
                return await MlCli.FailAsync(console, ModelsCommand.Unknown, $"no model '{modelName}' (see `models list`)");
            }

            var (items, total) = await store.DriftChecks.ListAsync(modelName, 0, count, cancellationToken);
            var checks = items.Select(DriftCheckView.From).ToList();
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(checks, JsonOutput.CamelCase));
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).Title($"{Markup.Escape(modelName)}: {checks.Count} of {total} drift check(s)");
            table.AddColumns("id", "at", "kind", "version", "verdict", "share", "drifted features", "rows (ref → cur)", "run");
            foreach (var check in checks)
            {
                table.AddRow(
                    check.Id.ToString(CultureInfo.InvariantCulture), $"{check.At:u}", check.Kind, check.Version?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    check.Drifted ? "[red]drift[/]" : "no drift",
                    string.Create(CultureInfo.InvariantCulture, $"{check.Share:0.###} / {check.ShareThreshold:0.###}"),
                    Markup.Escape(MlCli.Printable(check.Kind == DriftCheckKinds.Performance ? check.Summary : string.Join(", ", check.DriftedFeatures))),
                    string.Create(CultureInfo.InvariantCulture, $"{check.ReferenceRows:N0} → {check.CurrentRows:N0}"),
                    Markup.Escape(check.DagId is null ? "-" : $"{check.DagId}/{check.RunId}/{check.TaskId}"));
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }
}
