using System.CommandLine;
using Orchestrator.Cli.Commands;

namespace Orchestrator.Cli;

/// <summary>The `orchestrator` command tree. Output goes to the given writers so tests can read it.</summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) =>
        await RunAsync(args, output, error, configureServices: null);

    /// <summary>As <see cref="RunAsync(string[], TextWriter, TextWriter)"/>, with <paramref name="configureServices"/>
    /// adding to every command's services (tests register their own services and task types).</summary>
    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? configureServices)
    {
        var root = Build(new CliConsole(output, error) { ConfigureServices = configureServices });
        var parsed = root.Parse(args);
        return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = LongestStop });
    }

    /// <summary>After Ctrl+C or SIGTERM a command may take this long to finish before the process exits anyway:
    /// long enough for <c>standalone</c>'s stop grace (System.CommandLine's default, 2 s, would cut it short).</summary>
    internal static readonly TimeSpan LongestStop = TimeSpan.FromHours(1);

    internal static RootCommand Build(CliConsole console)
    {
        var root = new RootCommand("Orchestrator: an Airflow-class workflow orchestrator for machine-learning pipelines.");
        root.Options.Add(CommonOptions.Dags);
        root.Options.Add(CommonOptions.Home);
        root.Options.Add(CommonOptions.Storage);

        root.Subcommands.Add(StandaloneCommand.Create(console));
        root.Subcommands.Add(SchedulerCommand.Create(console));
        root.Subcommands.Add(WorkerCommand.Create(console));
        root.Subcommands.Add(WebserverCommand.Create(console));

        var dags = new Command("dags", "List, check and test-run the DAGs of the dags folder.");
        dags.Subcommands.Add(DagsListCommand.Create(console));
        dags.Subcommands.Add(DagsTestCommand.Create(console));
        dags.Subcommands.Add(DagsTriggerCommand.Create(console));
        dags.Subcommands.Add(DagsPauseCommand.Create(console, pause: true));
        dags.Subcommands.Add(DagsPauseCommand.Create(console, pause: false));
        root.Subcommands.Add(dags);

        var runs = new Command("runs", "DAG runs recorded in the metadata store.");
        runs.Subcommands.Add(RunsListCommand.Create(console));
        root.Subcommands.Add(runs);

        var tasks = new Command("tasks", "Task instances of runs in the metadata store.");
        tasks.Subcommands.Add(TasksLogsCommand.Create(console));
        root.Subcommands.Add(tasks);

        root.Subcommands.Add(EventsCommand.Create(console));

        root.Subcommands.Add(VariablesCommand.Create(console));
        root.Subcommands.Add(ConnectionsCommand.Create(console));
        root.Subcommands.Add(ModelsCommand.Create(console));
        root.Subcommands.Add(ExperimentsCommand.Create(console));
        root.Subcommands.Add(UsersCommand.Create(console));
        root.Subcommands.Add(AlertsCommand.Create(console));
        root.Subcommands.Add(PoolsCommand.Create(console));

        var db = new Command("db", "The database of a distributed cluster.");
        db.Subcommands.Add(DbMigrateCommand.Create(console));
        root.Subcommands.Add(db);
        return root;
    }
}
