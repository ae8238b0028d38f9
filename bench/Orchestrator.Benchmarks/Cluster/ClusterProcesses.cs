using System.Diagnostics;
using System.Globalization;

namespace Orchestrator.Benchmarks.Cluster;

/// <summary>A cluster as plain processes: the built CLI (orchestrator.dll, copied next to the bench by its project
/// reference) started as <c>dotnet orchestrator.dll ROLE</c> with the environment a deployment gives it. Each
/// process's output goes to its own log file; disposing kills every process still running (the database is thrown
/// away afterwards, so no graceful stop is needed).</summary>
internal sealed class ClusterProcesses : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);
    private readonly List<Process> _roles = [];
    private readonly Dictionary<string, string> _environment;

    public ClusterProcesses(string storage, string root)
    {
        Root = root;
        Directory.CreateDirectory(Dags);
        Directory.CreateDirectory(Logs);
        Directory.CreateDirectory(Path.Combine(root, "home"));
        _environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ORCHESTRATOR_STORAGE"] = storage,
            ["ORCHESTRATOR_HOME"] = Path.Combine(root, "home"),
            ["ORCHESTRATOR_DAGS"] = Dags,
            ["ORCHESTRATOR_SECRET_KEY"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        };
    }

    public string Root { get; }

    public string Dags => Path.Combine(Root, "dags");

    public string Logs => Path.Combine(Root, "logs");

    public static string CliDll
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "orchestrator.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"the built CLI is missing next to the bench ({dll}): the bench's project reference to src/Orchestrator.Cli copies it there");
        }
    }

    /// <summary>Runs a one-shot command (db migrate, dags trigger) to its end; its stdout, or an error with its output.</summary>
    public async Task<string> RunAsync(params string[] args)
    {
        var name = $"{args[0]}-{Guid.NewGuid().ToString("N")[..6]}";
        using var process = Start(name, args);
        using var timeout = new CancellationTokenSource(CommandTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"orchestrator {string.Join(' ', args)} did not finish within {CommandTimeout.TotalSeconds:0} s");
        }

        var (stdout, stderr) = (await output, await error);
        await File.WriteAllTextAsync(Path.Combine(Logs, name + ".log"), stdout + stderr);
        return process.ExitCode == 0
            ? stdout
            : throw new InvalidOperationException($"orchestrator {string.Join(' ', args)} exited {process.ExitCode}: {stderr}{stdout}");
    }

    /// <summary>Starts a long-running role (scheduler, worker); its output is appended to logs/NAME.log.</summary>
    public void StartRole(string name, params string[] args)
    {
        var process = Start(name, args);
        process.EnableRaisingEvents = true;
        var log = new StreamWriter(Path.Combine(Logs, name + ".log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.Exited += (_, _) => Append(log, string.Create(CultureInfo.InvariantCulture, $"[bench] process exited ({SafeExitCode(process)})"));
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _roles.Add(process);
    }

    /// <summary>The roles that have exited (a role that dies makes the workloads time out; this says why).</summary>
    public IEnumerable<string> Exited() =>
        _roles.Where(p => p.HasExited).Select(p => string.Create(CultureInfo.InvariantCulture, $"pid {p.Id} exited {p.ExitCode}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _roles)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
                }
            }
            catch (Exception exception) when (exception is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
            {
                Console.Error.WriteLine($"[cluster] could not stop pid {process.Id}: {exception.Message}");
            }

            process.Dispose();
        }

        _roles.Clear();
    }

    private Process Start(string name, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Root };
        start.ArgumentList.Add(CliDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ORCHESTRATOR_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"could not start orchestrator {name}");
    }

    private static void Append(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    private static string SafeExitCode(Process process)
    {
        try
        {
            return process.ExitCode.ToString(CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }
}
