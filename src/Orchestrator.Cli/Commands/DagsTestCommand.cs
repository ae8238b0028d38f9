using System.CommandLine;
using System.Text.Json;
using Orchestrator.Application.TestRuns;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Core.Secrets;
using Orchestrator.Loading.Folder;
using Orchestrator.Storage;
using Orchestrator.Cli.Output;
using Orchestrator.Core.States;
using Orchestrator.Execution.LocalRuns;
using Orchestrator.Cli.Hosting;
using Orchestrator.Engine.Catalog;
using Orchestrator.Loading;
using Orchestrator.Storage.Sql;

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

            var home = parse.GetValue(CommonOptions.Home)!;
            var database = MetadataStores.Database(CommonOptions.StorageOf(parse), home);
            // Without the home's store the run still runs, with no Variables or Connections, and is not recorded.
            var store = await TryOpenStoreAsync(console, database, cancellationToken);
            await using var host = OrchestratorHost.Build(parse, console, store);
            var known = store is null ? Loading.Folder.ExternalNames.None : await Engine.Catalog.StoreNames.ReadAsync(store, cancellationToken);
            var dag = await DagSources.FindAsync(console, host.Get<DagFolderLoader>(), parse.GetValue(target)!, parse.GetValue(CommonOptions.Dags)!, known, cancellationToken);
            if (dag is null)
            {
                return NotLoaded;
            }

            var json = parse.GetValue(CommonOptions.Output) == OutputFormat.Json;
            var progress = new RunProgressPrinter(console.Error);
            var executor = host.Get<LocalRunExecutor>();
            // Variables and Connections from the home's store; what they hold, and sensitive params, are masked.
            var run = executor.NewRun(dag.Definition, dag.Folder, confValue) with { Secrets = host.Get<ITrySecretsSource>() };
            var result = await executor.RunAsync(dag.Definition, dag.Graph, run, progress, cancellationToken, progress.LogLine);

            if (json)
            {
                await console.Output.WriteLineAsync(RunResultJson.Serialize(result));
            }
            else
            {
                RunResultTable.Write(console.Out, result);
            }

            if (host.Services.GetService<IMetadataStore>() is not null)
            {
                await RecordAsync(console, host.Get<TestRunRecorder>(), database, dag, result, parse.GetValue(conf) ?? "{}", cancellationToken);
            }
            return result.State == DagRunState.Success ? Succeeded : Failed;
        });
        return command;
    }

    /// <summary>The home's store, or null (with a warning) when it cannot be opened: the test run still runs, with no
    /// Variables or Connections, and is not recorded.</summary>
    private static async Task<SqlMetadataStore?> TryOpenStoreAsync(CliConsole console, SqlDatabase database, CancellationToken cancellationToken)
    {
        try
        {
            return await SqlMetadataStore.OpenAsync(database, TimeProvider.System, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await console.Error.WriteLineAsync($"warning: the metadata store {database.Describe} cannot be opened ({exception.Message}): the run is not recorded and has no Variables or Connections");
            return null;
        }
    }

    /// <summary>Records the run in the home's store like any run (as a test), so what it did is there for
    /// <c>runs list</c>, <c>tasks logs</c> and a <c>standalone</c> on the same home.</summary>
    private static async Task RecordAsync(
        CliConsole console, TestRunRecorder recorder, SqlDatabase database, LoadedDag dag, RunResult result, string conf, CancellationToken cancellationToken)
    {
        try
        {
            await recorder.RecordAsync(dag, result, conf, cancellationToken);
            await console.Error.WriteLineAsync($"recorded as run {result.RunId} in {database.Describe}");
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            await console.Error.WriteLineAsync($"warning: the run was not recorded in the metadata store: {exception.Message}");
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
