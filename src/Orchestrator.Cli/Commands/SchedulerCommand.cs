using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orchestrator.Cli.Hosting;
using Orchestrator.Engine.Hosting;

namespace Orchestrator.Cli.Commands;

/// <summary><c>scheduler</c>: one scheduler of a cluster on PostgreSQL. Reads the dags folder, creates runs on their
/// schedules and events, starts queued runs, and drives runs under leases: ready tasks go through Hangfire to the
/// workers, their reports come back through the store. Any number may run at once; a run is driven by one of them,
/// and the others take it over when it stops or dies.</summary>
internal static class SchedulerCommand
{
    public static Command Create(CliConsole console)
    {
        var stopGrace = StopGrace.CreateOption();
        var cluster = new ClusterOptionsReader();
        var command = new Command("scheduler", "Run a scheduler of a cluster on PostgreSQL (--storage or ORCHESTRATOR_STORAGE): schedules, starts and drives runs; workers run their tasks.");
        command.Options.Add(stopGrace);
        cluster.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dags = Path.GetFullPath(parse.GetValue(CommonOptions.Dags)!);
            if (!Directory.Exists(dags))
            {
                await console.Error.WriteLineAsync($"error: DAG folder '{dags}' does not exist (set it with --dags DIR or ORCHESTRATOR_DAGS)");
                return 2;
            }

            if (cluster.Read(parse, "scheduler") is not { Options: { } clusterOptions })
            {
                await console.Error.WriteLineAsync($"error: {cluster.Read(parse, "scheduler").Error}");
                return 2;
            }

            if (StopGrace.Read(parse, stopGrace) is not { } grace)
            {
                await console.Error.WriteLineAsync($"error: {StopGrace.Error(parse, stopGrace)}");
                return 2;
            }

            return await RoleHost.RunAsync(console, parse, "scheduler", services => services.AddOrchestratorEngine(options =>
            {
                options.DagsFolder = dags;
                options.StopGrace = grace;
                options.Cluster = clusterOptions;
            }), cancellationToken);
        });
        return command;
    }
}
