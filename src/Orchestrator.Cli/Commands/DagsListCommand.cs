using System.CommandLine;
using System.Text.Json;
using Orchestrator.Cli.Hosting;
using Orchestrator.Cli.Output;
using Orchestrator.Loading.Folder;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>dags list</c>: every DAG of the folder and every import error. Exits 1 when any file failed to
/// load, so it doubles as a check in CI.</summary>
internal static class DagsListCommand
{
    public static Command Create(CliConsole console)
    {
        var command = new Command("list", "List every DAG of the dags folder (id, schedule, paused, file) and every import error.");
        command.Options.Add(CommonOptions.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var folder = parse.GetValue(CommonOptions.Dags)!;
            if (!Directory.Exists(folder))
            {
                await console.Error.WriteLineAsync($"error: DAG folder '{folder}' does not exist (set it with --dags DIR)");
                return 2;
            }

            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var snapshot = await host.Get<DagFolderLoader>().LoadAsync(folder, cancellationToken, await Engine.Catalog.StoreNames.ReadAsync(host.Store, cancellationToken));
            var dags = snapshot.Dags.Values.OrderBy(dag => dag.Id.Value, StringComparer.Ordinal).ToList();
            var store = host.Store;
            var paused = (await store.Dags.ListAsync(cancellationToken)).Where(dag => dag.IsPaused).Select(dag => dag.DagId).ToHashSet();
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                var document = new
                {
                    dags = dags.Select(dag => new
                    {
                        dagId = dag.Id.Value,
                        schedule = dag.Definition.Schedule,
                        paused = paused.Contains(dag.Id),
                        file = DagSources.Display(dag.FilePath),
                        tasks = dag.Definition.Tasks.Count,
                        version = dag.Version,
                        description = dag.Definition.Description,
                    }),
                    importErrors = snapshot.ImportErrors.Select(ImportErrorJson.From),
                };
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(document, JsonOutput.Options));
            }
            else
            {
                WriteTables(console, dags, paused, snapshot.ImportErrors);
            }

            return snapshot.ImportErrors.Count == 0 ? 0 : 1;
        });
        return command;
    }

    private static void WriteTables(CliConsole console, List<Loading.LoadedDag> dags, HashSet<Core.Model.DagId> paused, IReadOnlyList<Loading.ImportError> errors)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"{dags.Count} DAG(s)");
        table.AddColumns("DAG id", "schedule", "paused", "tasks", "file", "description");
        foreach (var dag in dags)
        {
            table.AddRow(
                Markup.Escape(dag.Id.Value),
                Markup.Escape(dag.Definition.Schedule ?? "(none)"),
                paused.Contains(dag.Id) ? "yes" : "no",
                dag.Definition.Tasks.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(DagSources.Display(dag.FilePath)),
                Markup.Escape(dag.Definition.Description ?? ""));
        }

        console.Out.Write(table);
        if (errors.Count == 0)
        {
            return;
        }

        console.Out.MarkupLine($"[red]{errors.Count} import error(s):[/]");
        foreach (var error in errors)
        {
            console.Output.WriteLine($"  {ImportErrorJson.Describe(error)}"); // plain: an error line is never wrapped
        }
    }
}
