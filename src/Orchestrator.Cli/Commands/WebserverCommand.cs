using System.CommandLine;
using Orchestrator.Cli.Hosting;
using Orchestrator.Engine.Cluster;

namespace Orchestrator.Cli.Commands;

/// <summary><c>webserver</c>: the dashboard, REST API, model serving, /health and /metrics of a cluster, on the
/// cluster's store. It runs no task and drives no run: as many as needed can run behind a load balancer.</summary>
internal static class WebserverCommand
{
    public static Command Create(CliConsole console)
    {
        var web = new WebServerOptions();
        var command = new Command("webserver", "Run the web server (dashboard, REST API, model serving) of a cluster on PostgreSQL (--storage or ORCHESTRATOR_STORAGE).");
        web.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var storage = CommonOptions.StorageOf(parse);
            if (!MetadataStores.IsPostgres(storage))
            {
                await console.Error.WriteLineAsync("error: `webserver` serves a cluster on PostgreSQL: set --storage or ORCHESTRATOR_STORAGE to its connection string (Host=…;Port=…;Username=…;Password=…;Database=…); on one machine, `standalone` runs everything in one process");
                return 2;
            }

            if (web.Read(parse) is not { Settings: { } settings })
            {
                await console.Error.WriteLineAsync($"error: {web.Read(parse).Error}");
                return 2;
            }

            var home = Path.GetFullPath(parse.GetValue(CommonOptions.Home)!);
            var database = MetadataStores.Database(storage, home);
            await using var store = await Storage.Sql.SqlMetadataStore.OpenAsync(database, TimeProvider.System, cancellationToken);
            var hangfire = ClusterHangfire.CreateStorage(new ClusterOptions { ConnectionString = storage! }); // for /hangfire
            await using var app = WebServerHost.CreateBuilder(console, home, store, settings).Build();
            await WebServerHost.RunAsync(app, settings, _ => hangfire, "webserver", $"home {home}; store {database.Describe}", cancellationToken);
            return 0;
        });
        return command;
    }
}
