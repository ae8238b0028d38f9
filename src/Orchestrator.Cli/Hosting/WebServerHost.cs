using Hangfire;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Cli.Commands;
using Orchestrator.Storage;
using Orchestrator.Web.Security;

namespace Orchestrator.Cli.Hosting;

/// <summary>The web host of <c>standalone</c> and <c>webserver</c>: one-line console logs, the CLI's services, the
/// web services (dashboard, REST API, sign-in, serving), listening where the settings say.</summary>
internal static class WebServerHost
{
    public static WebApplicationBuilder CreateBuilder(CliConsole console, string home, IMetadataStore store, WebServerSettings settings)
    {
        var web = WebApplication.CreateSlimBuilder();
        ConsoleLogs.Configure(web.Logging);
        // A line per HTTP request would drown the process's log (and slow serving): only ASP.NET Core's warnings show.
        web.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The engine's own stop grace decides how long running tries may go on: the host must not cut it short.
        web.Services.Configure<HostOptions>(options => options.ShutdownTimeout = CliApp.LongestStop);
        web.WebHost.UseUrls(settings.ListenUrl);
        web.Services.AddOrchestratorCli(console, home, store);
        web.Services.AddWebServices(security => security.AutoSignIn = settings.AutoSignIn, settings.Serving);
        return web;
    }

    /// <summary>Maps the endpoints, starts the host (hosted services first, then Kestrel), says where it listens, and
    /// runs until Ctrl+C or SIGTERM.</summary>
    public static async Task RunAsync(WebApplication app, WebServerSettings settings, Func<IServiceProvider, JobStorage?> hangfireStorage, string role, string describe, CancellationToken cancellationToken)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orchestrator.Cli." + role);
        OrchestratorHost.MapEndpoints(app, hangfireStorage);
        await app.StartAsync(cancellationToken);
        logger.LogInformation("Orchestrator {Role}: listening on {Urls}; {Describe}", role, string.Join(", ", app.Urls), describe);
        // --host is not the only way to choose addresses (Kestrel's configuration can add its own): the automatic
        // sign-in stays on only if every address actually listened on is loopback.
        var security = app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value;
        var autoSignIn = settings.AutoSignIn;
        if (autoSignIn && !SecurityOptions.ListensOnLoopbackOnly(app.Urls))
        {
            security.AutoSignIn = autoSignIn = false;
            logger.LogWarning("Listening beyond loopback ({Urls}): automatic sign-in is off after all; every request signs in", string.Join(", ", app.Urls));
        }

        if (!autoSignIn) // the automatic sign-in says so itself
        {
            logger.LogInformation("Sign-in required: open {Urls} and sign in; scripts send Authorization: Bearer <token> (`orchestrator users token create`)",
                string.Join(", ", app.Urls));
        }

        // Ends on Ctrl+C or SIGTERM: ASP.NET Core's console lifetime stops the host on either.
        try
        {
            await app.WaitForShutdownAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await app.StopAsync(CancellationToken.None);
        }
    }
}

/// <summary>The long-running commands' console log: one line per entry, with the time.</summary>
internal static class ConsoleLogs
{
    public static void Configure(ILoggingBuilder logging)
    {
        logging.ClearProviders().AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss ";
        });
    }
}
