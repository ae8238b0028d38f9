using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Orchestrator.Cli.Hosting;

/// <summary>The Generic Host of a distributed role without a web server (<c>scheduler</c>, <c>worker</c>): the store
/// opened (and migrated) first, the CLI's services, the role's own, then run until Ctrl+C or SIGTERM.</summary>
internal static class RoleHost
{
    public static async Task<int> RunAsync(CliConsole console, ParseResult parse, string role, Action<IServiceCollection> addRole, CancellationToken cancellationToken)
    {
        var home = Path.GetFullPath(parse.GetValue(CommonOptions.Home)!);
        var database = MetadataStores.Database(CommonOptions.StorageOf(parse), home);
        Storage.Sql.SqlMetadataStore store;
        try
        {
            store = await Storage.Sql.SqlMetadataStore.OpenAsync(database, TimeProvider.System, cancellationToken);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException)
        {
            await console.Error.WriteLineAsync($"error: cannot reach the store at {database.Describe}: {exception.Message}");
            return 1;
        }

        await using (store)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            ConsoleLogs.Configure(builder.Logging);
            builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = CliApp.LongestStop);
            builder.Services.AddOrchestratorCli(console, home, store);
            addRole(builder.Services);
            using var host = builder.Build();
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orchestrator.Cli." + role);
            try
            {
                await host.StartAsync(cancellationToken);
            }
            catch (Exception exception) when (exception is InvalidOperationException or NpgsqlException or TimeoutException)
            {
                await console.Error.WriteLineAsync($"error: {role} could not start: {exception.Message}");
                return 1;
            }

            logger.LogInformation("Orchestrator {Role}: store {Store}", role, database.Describe);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken); // Ctrl+C or SIGTERM cancels it
            }
            catch (OperationCanceledException)
            {
                // stopping
            }

            logger.LogInformation("Orchestrator {Role}: stopping", role);
            await host.StopAsync(CancellationToken.None);
            return 0;
        }
    }
}
