using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orchestrator.Web.Security;
using Orchestrator.Cli.Hosting;
using Orchestrator.Core.Durations;
using Orchestrator.Engine.Hosting;
using Orchestrator.Engine.Workers;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Engine.Runs;

namespace Orchestrator.Cli.Commands;

/// <summary><c>standalone</c>: scheduler, workers and web server in one process on the home's store, until Ctrl+C.</summary>
internal static class StandaloneCommand
{
    /// <summary>How long a lost try's recorded process group gets between SIGTERM and SIGKILL after a restart.</summary>
    private static readonly TimeSpan LostTryKillGrace = TimeSpan.FromSeconds(5);

    public static Command Create(CliConsole console)
    {
        var port = new Option<int>("--port") { Description = "The HTTP port of the dashboard, the REST API, model serving, /health and /metrics.", DefaultValueFactory = _ => 8080 };
        var host = new Option<string>("--host")
        {
            Description = "The address to listen on: localhost (this machine only), * for every interface, or an IP address such as 0.0.0.0 or 10.0.0.5. Beyond loopback every request must sign in (create users with `orchestrator users create`).",
            DefaultValueFactory = _ => "localhost",
        };
        var requireLogin = new Option<bool>("--require-login")
        {
            Description = "Require sign-in even when listening on loopback only (by default a loopback-only server signs local requests in as an admin).",
        };
        var workers = new Option<int>("--workers") { Description = "Tasks run at once.", DefaultValueFactory = _ => Environment.ProcessorCount * 4 };
        var stopGrace = new Option<string>("--stop-grace")
        {
            Description = "On Ctrl+C or SIGTERM, how long running tasks may go on before they are stopped and recorded as interrupted (they run again at the next start).",
            DefaultValueFactory = _ => "30s",
        };
        var command = new Command("standalone", "Run the scheduler, workers and web server in one process on the embedded store, picking up the dags folder.");
        command.Options.Add(port);
        command.Options.Add(host);
        command.Options.Add(workers);
        command.Options.Add(stopGrace);
        command.Options.Add(requireLogin);
        var inferenceLog = new InferenceLogOptions();
        inferenceLog.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dags = Path.GetFullPath(parse.GetValue(CommonOptions.Dags)!);
            if (!Directory.Exists(dags))
            {
                await console.Error.WriteLineAsync($"error: DAG folder '{dags}' does not exist (set it with --dags DIR)");
                return 2;
            }

            if (!DurationParser.TryParse(parse.GetValue(stopGrace)!, out var grace) || grace > CliApp.LongestStop)
            {
                await console.Error.WriteLineAsync($"error: --stop-grace '{parse.GetValue(stopGrace)}' must be a duration such as 30s, 5m or PT1M, at most {DurationParser.Format(CliApp.LongestStop)}");
                return 2;
            }

            if (ListenUrl(parse.GetValue(host)!, parse.GetValue(port)) is not { } listenUrl)
            {
                await console.Error.WriteLineAsync(
                    $"error: --host '{parse.GetValue(host)}' must be localhost, * (every interface) or an IP address such as 0.0.0.0, 127.0.0.1 or ::");
                return 2;
            }

            if (inferenceLog.Read(parse) is not { Configure: { } serving })
            {
                await console.Error.WriteLineAsync($"error: {inferenceLog.Read(parse).Error}");
                return 2;
            }

            var home = Path.GetFullPath(parse.GetValue(CommonOptions.Home)!);
            var storage = parse.GetValue(CommonOptions.Storage);
            // One engine per home (and per SQLite file kept elsewhere), taken before anything is opened or resumed.
            using var locks = new CompositeDisposable();
            try
            {
                foreach (var folder in LockedFolders(home, storage))
                {
                    locks.Add(HomeLock.Acquire(folder, TimeProvider.System));
                }
            }
            catch (Exception refused) when (refused is HomeLockedException or InvalidOperationException)
            {
                await console.Error.WriteLineAsync($"error: {refused.Message}");
                return 3;
            }

            var database = MetadataStores.Database(storage, home);
            var web = WebApplication.CreateSlimBuilder();
            web.Logging.ClearProviders().AddSimpleConsole(options =>
            {
                options.SingleLine = true;
                options.TimestampFormat = "HH:mm:ss ";
            });
            // A line per HTTP request would drown the engine's log (and slow serving): only ASP.NET Core's warnings show.
            web.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            // The engine's own stop grace decides how long running tries may go on: the host must not cut it short.
            web.Services.Configure<HostOptions>(options => options.ShutdownTimeout = CliApp.LongestStop);
            web.WebHost.UseUrls(listenUrl);
            await using var store = await Storage.Sql.SqlMetadataStore.OpenAsync(database, TimeProvider.System, cancellationToken);
            web.Services.AddOrchestratorCli(console, home, store);
            // Automatic sign-in only when nobody beyond this machine can connect, and only for loopback requests.
            var autoSignIn = IsLoopbackOnly(parse.GetValue(host)!) && !parse.GetValue(requireLogin);
            web.Services.AddWebServices(security => security.AutoSignIn = autoSignIn, serving);
            web.Services.AddSingleton<ILostTryCleaner>(provider => new RecordedProcessCleaner(
                store, LostTryKillGrace, provider.GetRequiredService<ILoggerFactory>().CreateLogger<RecordedProcessCleaner>()));
            web.Services.AddOrchestratorEngine(options =>
            {
                options.DagsFolder = dags;
                options.Workers = parse.GetValue(workers);
                options.StopGrace = grace;
            });
            await using var app = web.Build();
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orchestrator.Cli.Standalone");
            var engine = app.Services.GetRequiredService<EmbeddedEngineService>();
            OrchestratorHost.MapEndpoints(app, _ => engine.Running?.HangfireStorage);
            await app.StartAsync(cancellationToken); // the engine first (resumes runs, reads the dags), then the web server
            logger.LogInformation("Orchestrator standalone: listening on {Urls}; home {Home}; store {Store}; dags {Dags}",
                string.Join(", ", app.Urls), home, database.Describe, dags);
            // --host is not the only way to choose addresses (Kestrel's configuration can add its own): the automatic
            // sign-in stays on only if every address actually listened on is loopback.
            var security = app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value;
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

            logger.LogInformation("Stopped; runs in progress resume at the next start");
            return 0;
        });
        return command;
    }

    /// <summary>The URL to listen on for <c>--host</c>: localhost (loopback only), <c>*</c> or <c>+</c> (every
    /// interface), or an IP address written as such (IPv6 bracketed or not); null for anything else, such as a host
    /// name, which Kestrel would silently turn into every interface.</summary>
    internal static string? ListenUrl(string host, int port)
    {
        var at = port.ToString(CultureInfo.InvariantCulture);
        if (host is "localhost" or "*" or "+")
        {
            return $"http://{host}:{at}";
        }

        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (!IPAddress.TryParse(bare, out var address))
        {
            return null;
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetworkV6 when bare.Contains(':', StringComparison.Ordinal) => $"http://[{address}]:{at}",
            // IPv4 only in full dotted form: TryParse also takes "1" or "10.1", which nobody means.
            AddressFamily.InterNetwork when address.ToString() == bare && bare == host => $"http://{bare}:{at}",
            _ => null,
        };
    }

    /// <summary>Whether a valid <c>--host</c> keeps the server reachable from this machine only.</summary>
    private static bool IsLoopbackOnly(string host) =>
        host == "localhost" || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>The home, plus the folder of a SQLite file given with --storage outside it. A PostgreSQL store is
    /// not covered: engines on other machines never see this lock (a lease in the store is left for later).</summary>
    private static IEnumerable<string> LockedFolders(string home, string? storage)
    {
        yield return home;
        if (storage is not null && storage.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase)
            && Path.GetDirectoryName(Path.GetFullPath(storage["sqlite:".Length..])) is { } folder
            && !string.Equals(folder, home, StringComparison.Ordinal))
        {
            yield return folder;
        }
    }

    private sealed class CompositeDisposable : IDisposable
    {
        private readonly List<IDisposable> _items = [];

        public void Add(IDisposable item) => _items.Add(item);

        public void Dispose()
        {
            for (var i = _items.Count - 1; i >= 0; i--)
            {
                _items[i].Dispose();
            }
        }
    }
}
