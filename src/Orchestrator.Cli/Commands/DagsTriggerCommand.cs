using System.CommandLine;
using System.Text.Json;
using Orchestrator.Application;
using Orchestrator.Application.Runs;
using Orchestrator.Cli.Hosting;
using Orchestrator.Engine.Catalog;
using Orchestrator.Loading.Folder;

namespace Orchestrator.Cli.Commands;

/// <summary><c>dags trigger</c>: creates a queued manual run in the metadata store and prints its id; the
/// scheduler of a running <c>standalone</c> (or cluster) on the same store starts it.</summary>
internal static class DagsTriggerCommand
{
    public static Command Create(CliConsole console)
    {
        var target = new Argument<string>("dag-id") { Description = "The DAG to run." };
        var conf = new Option<string?>("--conf") { Description = "A JSON object whose values override the DAG's params of the same name for this run." };
        var command = new Command("trigger", "Create a manual run of a DAG (with optional conf) and print its run id.");
        command.Arguments.Add(target);
        command.Options.Add(conf);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var confText = parse.GetValue(conf) ?? "{}";
            if (ConfProblem(confText) is { } problem)
            {
                await console.Error.WriteLineAsync($"error: --conf {problem}; expected a JSON object such as '{{\"minRows\": 100}}'");
                return 2;
            }

            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var dag = await DagSources.FindAsync(console, host.Get<DagFolderLoader>(), parse.GetValue(target)!, parse.GetValue(CommonOptions.Dags)!,
                await Engine.Catalog.StoreNames.ReadAsync(host.Store, cancellationToken), cancellationToken);
            if (dag is null)
            {
                return 2;
            }

            // The folder's file is the DAG's latest version from now on; the trigger (the same use case as the API's)
            // runs that version, which this process has loaded already.
            await DagRegistration.RegisterAsync(host.Store, dag, host.Get<TimeProvider>().GetUtcNow(), cancellationToken);
            host.Get<DagVersions>().Add(dag);
            return await ApplicationProblems.RunAsync(console, async () =>
            {
                var runId = await host.Get<IRunCommands>().TriggerAsync(dag.Id, confText, Actor.Cli, cancellationToken);
                await console.Output.WriteLineAsync(runId.Value);
                return 0;
            });
        });
        return command;
    }

    /// <summary>Why <paramref name="text"/> is not a usable conf (invalid JSON, or JSON that is not an object), or
    /// null when it is one.</summary>
    private static string? ConfProblem(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? null
                : $"is {Describe(document.RootElement.ValueKind)}, not a JSON object";
        }
        catch (JsonException exception)
        {
            // System.Text.Json counts from 0; people count columns from 1.
            return $"is not valid JSON (line {(exception.LineNumber ?? 0) + 1}, position {(exception.BytePositionInLine ?? 0) + 1})";
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
