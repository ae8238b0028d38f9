using System.CommandLine;
using Orchestrator.Cli.Hosting;
using Orchestrator.Core.Model;
using Orchestrator.Engine.Hosting;

namespace Orchestrator.Cli.Commands;

/// <summary><c>worker [--queues a,b] [--concurrency N]</c>: a worker process of a cluster on PostgreSQL. Fetches the
/// tries of its queues from Hangfire, runs them, and reports them through the store; its heartbeat keeps them its own.</summary>
internal static class WorkerCommand
{
    public const string QueuesVariable = "ORCHESTRATOR_WORKER_QUEUES";
    public const string ConcurrencyVariable = "ORCHESTRATOR_WORKER_CONCURRENCY";

    public static Command Create(CliConsole console)
    {
        var queues = new Option<string>("--queues")
        {
            Description = $"The task queues this worker serves, comma-separated; a task's \"queue\" field routes it (default ${QueuesVariable}, else default).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(QueuesVariable) is { Length: > 0 } value ? value : TaskDefinition.DefaultQueue,
        };
        var concurrency = new Option<string>("--concurrency")
        {
            Description = $"Tasks this worker runs at once (default ${ConcurrencyVariable}, else four per processor).",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ConcurrencyVariable) is { Length: > 0 } value ? value : (Environment.ProcessorCount * 4).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var stopGrace = StopGrace.CreateOption();
        var cluster = new ClusterOptionsReader();
        var command = new Command("worker", "Run a worker of a cluster on PostgreSQL (--storage or ORCHESTRATOR_STORAGE): runs the tasks of its queues.");
        command.Options.Add(queues);
        command.Options.Add(concurrency);
        command.Options.Add(stopGrace);
        cluster.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var queueNames = parse.GetValue(queues)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (queueNames.Length == 0 || !queueNames.All(TaskDefinition.IsValidQueueName))
            {
                await console.Error.WriteLineAsync($"error: --queues '{parse.GetValue(queues)}' must be queue names separated by commas, each 1-64 lowercase letters, digits, '_' or '-'");
                return 2;
            }

            if (!int.TryParse(parse.GetValue(concurrency), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var slots) || slots is < 1 or > 1_000)
            {
                await console.Error.WriteLineAsync($"error: --concurrency / ${ConcurrencyVariable} '{parse.GetValue(concurrency)}' must be a whole number from 1 to 1000");
                return 2;
            }

            if (cluster.Read(parse, "worker") is not { Options: { } clusterOptions })
            {
                await console.Error.WriteLineAsync($"error: {cluster.Read(parse, "worker").Error}");
                return 2;
            }

            if (StopGrace.Read(parse, stopGrace) is not { } grace)
            {
                await console.Error.WriteLineAsync($"error: {StopGrace.Error(parse, stopGrace)}");
                return 2;
            }

            var dags = Path.GetFullPath(parse.GetValue(CommonOptions.Dags)!);
            return await RoleHost.RunAsync(console, parse, "worker", services => services.AddOrchestratorWorker(options =>
            {
                options.Cluster = clusterOptions;
                options.Queues = queueNames;
                options.Concurrency = slots;
                options.StopGrace = grace;
                options.DagsFolder = dags;
            }), cancellationToken);
        });
        return command;
    }
}
