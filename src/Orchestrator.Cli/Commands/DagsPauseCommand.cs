using System.CommandLine;
using Orchestrator.Application;
using Orchestrator.Application.Dags;
using Orchestrator.Cli.Hosting;
using Orchestrator.Engine.Catalog;

namespace Orchestrator.Cli.Commands;

/// <summary><c>dags pause</c> / <c>dags unpause</c>: a paused DAG gets no scheduled runs (manual triggers still work).</summary>
internal static class DagsPauseCommand
{
    public static Command Create(CliConsole console, bool pause)
    {
        var target = new Argument<string>("dag-id") { Description = "The DAG to " + (pause ? "pause." : "unpause.") };
        var command = new Command(pause ? "pause" : "unpause", pause
            ? "Pause a DAG: the scheduler creates no more runs for it until it is unpaused."
            : "Unpause a DAG: the scheduler creates its runs again.");
        command.Arguments.Add(target);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var host = await OrchestratorHost.OpenAsync(parse, console, cancellationToken);
            var dag = await DagSources.FindAsync(console, host.Get<Loading.Folder.DagFolderLoader>(), parse.GetValue(target)!, parse.GetValue(CommonOptions.Dags)!,
                await Engine.Catalog.StoreNames.ReadAsync(host.Store, cancellationToken), cancellationToken);
            if (dag is null)
            {
                return 2;
            }

            // Registered first, so a DAG no engine has seen yet can be paused before its first scheduled run.
            await DagRegistration.RegisterAsync(host.Store, dag, host.Get<TimeProvider>().GetUtcNow(), cancellationToken);
            return await ApplicationProblems.RunAsync(console, async () =>
            {
                await host.Get<IDagCommands>().SetPausedAsync(dag.Id, pause, Actor.Cli, cancellationToken);
                await console.Output.WriteLineAsync($"{dag.Id} is {(pause ? "paused" : "unpaused")}");
                return 0;
            });
        });
        return command;
    }
}
