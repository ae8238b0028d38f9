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
        var workers = new Option<int>("--workers") { Description = "Tasks run at once.", DefaultValueFactory = _ => Environment.ProcessorCount * 4 };
        var stopGrace = StopGrace.CreateOption();
        var command = new Command("standalone", "Run the scheduler, workers and web server in one process on the embedded store, picking up the dags folder.");
        var web = new WebServerOptions();
        web.AddTo(command);
        command.Options.Add(workers);
        command.Options.Add(stopGrace);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dags = Path.GetFullPath(parse.GetValue(CommonOptions.Dags)!);
            if (!Directory.Exists(dags))
            {
                await console.Error.WriteLineAsync($"error: DAG folder '{dags}' does not exist (set it with --dags DIR)");
                return 2;
            }

            if (StopGrace.Read(parse, stopGrace) is not { } grace)
            {
                await console.Error.WriteLineAsync($"error: {StopGrace.Error(parse, stopGrace)}");
                return 2;
            }

            if (web.Read(parse) is not { Settings: { } settings } read)
            {
                await console.Error.WriteLineAsync($"error: {web.Read(parse).Error}");
                return 2;
            }

            var home = Path.GetFullPath(parse.GetValue(CommonOptions.Home)!);
            var storage = CommonOptions.StorageOf(parse);
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
            await using var store = await Storage.Sql.SqlMetadataStore.OpenAsync(database, TimeProvider.System, cancellationToken);
            var builder = WebServerHost.CreateBuilder(console, home, store, settings);
            builder.Services.AddSingleton<ILostTryCleaner>(provider => new RecordedProcessCleaner(
                store, LostTryKillGrace, provider.GetRequiredService<ILoggerFactory>().CreateLogger<RecordedProcessCleaner>()));
            builder.Services.AddOrchestratorEngine(options =>
            {
                options.DagsFolder = dags;
                options.Workers = parse.GetValue(workers);
                options.StopGrace = grace;
            });
            await using var app = builder.Build();
            var engine = app.Services.GetRequiredService<EmbeddedEngineService>();
            // The engine starts first (resumes runs, reads the dags), then the web server.
            try
            {
                await WebServerHost.RunAsync(app, settings, _ => engine.Running?.HangfireStorage, "standalone", $"home {home}; store {database.Describe}; dags {dags}", cancellationToken);
            }
            catch (InvalidOperationException refused) when (engine.Running is null)
            {
                // Another engine (or a cluster's schedulers) uses this store: say who, as for the home's lock.
                await console.Error.WriteLineAsync($"error: {refused.Message}");
                return 3;
            }

            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Orchestrator.Cli.standalone").LogInformation("Stopped; runs in progress resume at the next start");
            return 0;
        });
        return command;
    }

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
