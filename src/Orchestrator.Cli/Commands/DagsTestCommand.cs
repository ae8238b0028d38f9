using System.CommandLine;
using System.Text.Json;
using Orchestrator.Cli.Output;
using Orchestrator.Core.Graph;
using Orchestrator.Core.States;
using Orchestrator.Execution.LocalRuns;
using Orchestrator.Loading;

namespace Orchestrator.Cli.Commands;

/// <summary><c>dags test</c>: one run of one DAG in this process, with the real task semantics. Exit code 0 when
/// the run succeeded, 1 when it failed, 2 when the DAG could not be loaded (or the arguments were wrong).</summary>
internal static class DagsTestCommand
{
    public const int Succeeded = 0;
    public const int Failed = 1;
    public const int NotLoaded = 2;

    public static Command Create(CliConsole console)
    {
        var target = new Argument<string>("dag") { Description = "A DAG id from the dags folder, or the path of a DAG file (.json or .cs)." };
        var conf = new Option<string?>("--conf") { Description = "A JSON object whose values override the DAG's params of the same name." };
        var command = new Command("test", "Run one DAG once in this process (no scheduler) and print each task's state, tries and duration.");
        command.Arguments.Add(target);
        command.Options.Add(conf);
        command.Options.Add(CommonOptions.Output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!TryParseConf(parse.GetValue(conf), out var confValue, out var confError))
            {
                await console.Error.WriteLineAsync($"error: --conf {confError}");
                return NotLoaded;
            }

            var dag = await FindAsync(console, parse.GetValue(target)!, parse.GetValue(CommonOptions.Dags)!, cancellationToken);
            if (dag is null)
            {
                return NotLoaded;
            }

            var json = parse.GetValue(CommonOptions.Output) == OutputFormat.Json;
            var progress = new RunProgressPrinter(console.Error);
            var executor = new LocalRunExecutor(DagSources.Registry, TimeProvider.System);
            var result = await executor.RunAsync(new LocalRunRequest
            {
                Dag = dag.Definition,
                Graph = dag.Graph,
                DagFolder = dag.Folder,
                Conf = confValue,
                OnLogLine = progress.LogLine,
            }, progress, cancellationToken);

            if (json)
            {
                await console.Output.WriteLineAsync(RunResultJson.Serialize(result));
            }
            else
            {
                RunResultTable.Write(console.Out, result);
            }

            return result.State == DagRunState.Success ? Succeeded : Failed;
        });
        return command;
    }

    /// <summary>The DAG named by a file path or an id in the folder; prints why when there is none.</summary>
    private static async Task<LoadedDag?> FindAsync(CliConsole console, string target, string folder, CancellationToken cancellationToken)
    {
        var loader = DagSources.CreateLoader();
        if (File.Exists(target))
        {
            var file = await loader.LoadFileAsync(target, cancellationToken);
            if (file.Errors.Count > 0 || file.Dags.Count != 1)
            {
                await WriteErrorsAsync(console, file.Errors, file.Dags.Count > 1
                    ? $"{target} defines {file.Dags.Count} DAGs ({string.Join(", ", file.Dags.Select(d => d.Id))}); pass one DAG id with --dags pointing at its folder"
                    : $"{target} could not be loaded");
                return null;
            }

            return file.Dags[0];
        }

        if (!Directory.Exists(folder))
        {
            await console.Error.WriteLineAsync($"error: '{target}' is not a file, and the DAG folder '{folder}' does not exist (set it with --dags DIR)");
            return null;
        }

        var snapshot = await loader.LoadAsync(folder, cancellationToken);
        if (Core.Model.IdentifierRules.IsValid(target) && snapshot.Dags.TryGetValue(new Core.Model.DagId(target), out var dag))
        {
            return dag;
        }

        var hint = EditDistance.Closest(target, snapshot.Dags.Keys.Select(id => id.Value)) is { } close ? $"; did you mean '{close}'?" : "";
        var known = snapshot.Dags.Count == 0 ? "none" : string.Join(", ", snapshot.Dags.Keys.Select(id => id.Value).Order(StringComparer.Ordinal));
        await WriteErrorsAsync(console, snapshot.ImportErrors,
            $"no DAG '{target}' in {folder}{hint} (DAGs found: {known})" + (snapshot.ImportErrors.Count > 0 ? "; these files failed to load:" : ""));
        return null;
    }

    private static async Task WriteErrorsAsync(CliConsole console, IReadOnlyList<ImportError> errors, string headline)
    {
        await console.Error.WriteLineAsync($"error: {headline}");
        foreach (var error in errors)
        {
            await console.Error.WriteLineAsync($"  {ImportErrorJson.Describe(error)}");
        }
    }

    private static bool TryParseConf(string? text, out JsonElement? conf, out string? error)
    {
        conf = null;
        error = null;
        if (text is null)
        {
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                error = $"must be a JSON object such as '{{\"minRows\": 100}}', not {document.RootElement.ValueKind.ToString().ToLowerInvariant()}";
                return false;
            }

            conf = document.RootElement.Clone();
            return true;
        }
        catch (JsonException exception)
        {
            error = $"is not valid JSON: {exception.Message}";
            return false;
        }
    }
}
