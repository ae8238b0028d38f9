using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Benchmarks.HangfirePostgres;

/// <summary>A PostgreSQL 15 server made for one benchmark run: a fresh data directory, loopback only, a free port,
/// fsync and synchronous commit ON (the durability a real cluster pays for), pg_stat_statements loaded so the bench
/// can count statements per job. Run as the unprivileged user orchestrator_pg when we are root (initdb refuses root),
/// as eng/test.sh does. Disposing stops the server and deletes its directory.</summary>
internal sealed class ThrowawayPostgres : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private const string RootUser = "orchestrator_pg";
    private readonly string _folder;
    private readonly bool _asRootUser;

    private ThrowawayPostgres(string folder, bool asRootUser, string connectionString)
    {
        _folder = folder;
        _asRootUser = asRootUser;
        ConnectionString = connectionString;
    }

    public string ConnectionString { get; }

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        if (!File.Exists(Path.Combine(Bin, "initdb")))
        {
            throw new InvalidOperationException($"PostgreSQL 15 is not installed ({Bin}/initdb missing): install postgresql-15 or set ORCHESTRATOR_BENCH_POSTGRES to a connection string");
        }

        var asRootUser = Environment.UserName == "root";
        var folder = Directory.CreateTempSubdirectory("orchestrator-bench-pg-").FullName;
        if (asRootUser)
        {
            await RunAsync("/bin/sh", "-c", $"id {RootUser} >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin {RootUser}");
            await RunAsync("chown", RootUser, folder);
        }

        var port = FreePort();
        var server = new ThrowawayPostgres(folder, asRootUser, $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres");
        await server.AsServerUserAsync($"{Bin}/initdb -D '{folder}/data' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >'{folder}/initdb.log' 2>&1");
        // fsync and synchronous_commit stay at their defaults (on): the baseline pays for durable commits.
        await server.AsServerUserAsync(
            $"{Bin}/pg_ctl -D '{folder}/data' -l '{folder}/server.log' -w -t 60 -o \"-c listen_addresses=127.0.0.1 -p {port} -k '{folder}' " +
            "-c max_connections=300 -c shared_preload_libraries=pg_stat_statements -c fsync=on -c synchronous_commit=on\" start >/dev/null");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await AsServerUserAsync($"{Bin}/pg_ctl -D '{_folder}/data' -m fast -w stop >/dev/null 2>&1");
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private Task AsServerUserAsync(string command) =>
        _asRootUser ? RunAsync("su", RootUser, "-s", "/bin/sh", "-c", command) : RunAsync("/bin/sh", "-c", command);

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
        }
    }

    private static int FreePort()
    {
        // Port 0 lets the kernel pick; the tiny race until PostgreSQL binds it is acceptable for a bench.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
