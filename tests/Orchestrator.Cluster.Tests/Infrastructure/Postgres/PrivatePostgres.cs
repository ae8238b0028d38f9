using System.Globalization;
using Npgsql;
using static Orchestrator.Cluster.Tests.Infrastructure.Postgres.ShellRunner;

namespace Orchestrator.Cluster.Tests.Infrastructure.Postgres;

/// <summary>A PostgreSQL 15 server of the test's own, in a temp folder on a free loopback port, which the test may
/// stop, restart or kill. fsync stays on: these tests are about durability. As root the server runs as the
/// unprivileged user <see cref="ServerUser"/> (initdb refuses root), created when missing, as eng/test.sh does.
/// Disposing stops it and deletes the folder.</summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    public const string BinFolder = "/usr/lib/postgresql/15/bin";
    public const string ServerUser = "orchestrator_pg";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private readonly string? _user;

    private PrivatePostgres(string folder, int port, string? user)
    {
        Folder = folder;
        Port = port;
        _user = user;
    }

    /// <summary>The temp folder: the cluster in data/, the server's log in server.log, its socket.</summary>
    public string Folder { get; }

    public int Port { get; }

    public string DataFolder => Path.Combine(Folder, "data");

    public string LogFile => Path.Combine(Folder, "server.log");

    /// <summary>The maintenance database <c>postgres</c>, as superuser <c>postgres</c> (trust auth on loopback).</summary>
    public string ConnectionString => ConnectionStringFor("postgres");

    /// <summary>Npgsql gives up quickly when the server is down, so callers see an outage instead of hanging.</summary>
    public string ConnectionStringFor(string database) =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={database};Timeout=5;Command Timeout=30";

    /// <summary>Creates the cluster (initdb) and starts the server. Fails with what to install when the binaries are
    /// missing: tests that need a server never skip.</summary>
    public static async Task<PrivatePostgres> CreateAsync()
    {
        if (!File.Exists(Path.Combine(BinFolder, "initdb")) || !File.Exists(Path.Combine(BinFolder, "pg_ctl")))
        {
            throw new InvalidOperationException(
                $"PostgreSQL 15 is not installed ({BinFolder}/initdb and pg_ctl are missing): install Debian's postgresql-15 package (eng/test.sh does it)");
        }

        var folder = Directory.CreateTempSubdirectory("orchestrator-pg-").FullName;
        string? user = null;
        if (Environment.UserName == "root")
        {
            user = ServerUser;
            await MustAsync(null, $"id {ServerUser} >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin {ServerUser}", "creating the server's user");
            await MustAsync(null, $"chown {ServerUser} {Quote(folder)}", "handing the folder to the server's user");
        }

        var server = new PrivatePostgres(folder, FreePorts.Next(), user);
        try
        {
            // --no-sync only skips flushing the fresh cluster's files once; the server itself runs with fsync on.
            await server.RunAsync($"{BinFolder}/initdb -D {Quote(server.DataFolder)} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync", "initdb");
            await server.StartAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server and waits until it accepts connections.</summary>
    public Task StartAsync() =>
        RunAsync(
            $"{BinFolder}/pg_ctl -D {Quote(DataFolder)} -l {Quote(LogFile)} -w -t 60 -o " +
            Quote($"-c listen_addresses=127.0.0.1 -p {Port.ToString(CultureInfo.InvariantCulture)} -k {Folder} -c fsync=on -c max_connections=200") + " start",
            "starting the server");

    /// <summary>Stops the server: fast (sessions are cut, work committed so far is kept) or smart (waits for them).</summary>
    public Task StopAsync(bool fast = true) =>
        RunAsync($"{BinFolder}/pg_ctl -D {Quote(DataFolder)} -m {(fast ? "fast" : "smart")} -w -t 60 stop", "stopping the server");

    /// <summary>A clean restart, as an operator's <c>systemctl restart</c>: connected clients lose their sessions.</summary>
    public async Task RestartAsync()
    {
        await StopAsync(fast: true);
        await StartAsync();
    }

    /// <summary>An outage with no clean shutdown: SIGKILL to the postmaster and every process it started, as when
    /// the machine dies. The next <see cref="StartAsync"/> recovers from the write-ahead log.</summary>
    public async Task KillAsync()
    {
        var postmaster = PostmasterPid() ?? throw new InvalidOperationException($"the server is not running (no postmaster.pid in {DataFolder})");
        var children = UnixProcesses.ChildrenOf(postmaster);
        UnixProcesses.Signal(postmaster, "KILL");
        foreach (var child in children)
        {
            UnixProcesses.Signal(child, "KILL");
        }

        // A backend still attached to the old shared memory would stop the next start: wait for all of them.
        if (!await UnixProcesses.WaitGoneAsync([postmaster, .. children], TimeSpan.FromSeconds(10)))
        {
            throw new TimeoutException($"PostgreSQL's processes ({postmaster}, {string.Join(", ", children)}) outlived SIGKILL for 10 s");
        }

        // The killed postmaster can stay a zombie until init reaps it, and PostgreSQL takes a zombie's pid in the lock
        // file for a live server. Every process is dead, so the lock file is stale, as after a real crash and reboot.
        // So is the socket's lock file, for the same reason.
        File.Delete(Path.Combine(DataFolder, "postmaster.pid"));
        File.Delete(Path.Combine(Folder, $".s.PGSQL.{Port.ToString(CultureInfo.InvariantCulture)}.lock"));
        File.Delete(Path.Combine(Folder, $".s.PGSQL.{Port.ToString(CultureInfo.InvariantCulture)}"));
    }

    /// <summary>True when a postmaster of this folder is alive.</summary>
    public bool IsRunning => PostmasterPid() is { } pid && UnixProcesses.IsAlive(pid);

    /// <summary>Creates a database and returns the connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[a-z_][a-z0-9_]*$"))
        {
            throw new ArgumentException($"database name '{name}' must be lower-case letters, digits and '_'", nameof(name));
        }

        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionStringFor(name);
    }

    /// <summary>The server's log so far (for failure messages).</summary>
    public string ReadLog() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no server log)";

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (IsRunning)
            {
                await StopAsync(fast: true);
            }
        }
        catch (Exception) when (PostmasterPid() is { } pid)
        {
            // Never leave a server behind, even when the clean stop fails.
            UnixProcesses.Signal(pid, "KILL");
            await UnixProcesses.WaitGoneAsync([pid], TimeSpan.FromSeconds(10));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(Folder, recursive: true);
        }
    }

    private int? PostmasterPid()
    {
        var file = Path.Combine(DataFolder, "postmaster.pid");
        try
        {
            var first = File.ReadLines(file).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private async Task RunAsync(string command, string what)
    {
        var (code, output) = await ShellRunner.RunAsync(_user, command, CommandTimeout);
        if (code != 0)
        {
            throw new InvalidOperationException($"PostgreSQL: {what} failed (exit {code}): {command}\n{output}\nserver log:\n{ReadLog()}");
        }
    }

    private static async Task MustAsync(string? user, string command, string what)
    {
        var (code, output) = await ShellRunner.RunAsync(user, command, CommandTimeout);
        if (code != 0)
        {
            throw new InvalidOperationException($"PostgreSQL: {what} failed (exit {code}): {command}\n{output}");
        }
    }
}
