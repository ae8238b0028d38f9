using System.CommandLine;
using System.Text.Json;
using Orchestrator.Cli.Hosting;
using Orchestrator.Cli.Output;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Secrets.Masking;
using Orchestrator.Storage.Records;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

/// <summary><c>runs list</c>: the runs recorded in the metadata store, newest first. The JSON output carries each
/// run's conf with the values of sensitive-looking keys masked.</summary>
internal static class RunsListCommand
{
    public static Command Create(CliConsole console)
    {
        var dagOption = new Option<string?>("--dag") { Description = "Only the runs of this DAG." };
        var limit = new Option<int>("--limit") { Description = "How many runs at most.", DefaultValueFactory = _ => 100 };
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
            var store = host.Store;
            var runs = await store.Runs.ListAsync(new RunQuery(dagId is null ? null : new DagId(dagId), Limit: parse.GetValue(limit)), cancellationToken);
            if (parse.GetValue(CommonOptions.Output) == OutputFormat.Json)
            {
                var sensitive = SensitiveNames.FromEnvironment();
                await console.Output.WriteLineAsync(JsonSerializer.Serialize(runs.Select(run => new
                {
                    runId = run.RunId.Value,
                    dagId = run.DagId.Value,
                    state = run.State.ToName(),
                    logicalDate = run.LogicalDate,
                    startedAt = run.StartedAt,
                    endedAt = run.EndedAt,
                    runType = run.RunType.ToString().ToLowerInvariant(),
                    // Values of keys that look sensitive (password, token, …) are shown as ***.
                    conf = JsonSerializer.Deserialize<JsonElement>(SensitiveConf.MaskJson(run.Conf, sensitive)),
                }), JsonOutput.Options));
                return 0;
            }

            var table = new Table().Border(TableBorder.Rounded).Title($"{runs.Count} run(s)");
            table.AddColumns("run id", "DAG", "state", "type", "logical date", "started", "ended");
            foreach (var run in runs)
            {
                table.AddRow(Markup.Escape(run.RunId.Value), Markup.Escape(run.DagId.Value), run.State.ToName(), run.RunType.ToString().ToLowerInvariant(),
                    $"{run.LogicalDate:u}", $"{run.StartedAt:u}", $"{run.EndedAt:u}");
            }

            console.Out.Write(table);
            return 0;
        });
        return command;
    }
}
