using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Orchestrator.Cluster.Tests.Infrastructure.Postgres;

namespace Orchestrator.Cluster.Tests.Infrastructure.Processes;

/// <summary>One real <c>orchestrator</c> process (<c>dotnet orchestrator.dll ARGS</c>), as users start it. Its output
/// goes to a bounded ring and to a file of its own; disposing kills what is left of it and prints its last lines to
/// the test's output, so a failing test shows what every process said.</summary>
public sealed class OrchestratorProcess : IAsyncDisposable
{
    private const int RingLines = 2000;
    private const int StdoutLimit = 1 << 20;
    private static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly OutputRing _ring;
    private readonly ITestOutputHelper? _output;
    private readonly StringBuilder _stdout = new();
    private readonly TaskCompletionSource _streamsClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _openStreams = 2;

    private OrchestratorProcess(string name, Process process, string logFile, ITestOutputHelper? output)
    {
        Name = name;
        _process = process;
        LogFile = logFile;
        _output = output;
        _ring = new OutputRing(logFile, RingLines);
    }

    /// <summary>A name for messages, e.g. "worker-1".</summary>
    public string Name { get; }

    public int Pid => _process.Id;

    /// <summary>Every line the process wrote, as "[out] …" / "[err] …".</summary>
    public string LogFile { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has ended, else null.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>What the process wrote to stdout (up to 1 MB), for one-shot commands whose answer is their output.</summary>
    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Starts <c>dotnet orchestrator.dll ARGS</c>. The child's environment is the test's without any
    /// ORCHESTRATOR_* variable, plus <paramref name="environment"/> (a null value removes a variable).</summary>
    public static OrchestratorProcess Start(
        string name,
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string?> environment,
        string logFolder,
        ITestOutputHelper? output = null,
        string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? logFolder,
        };
        start.ArgumentList.Add(CliLocator.CliDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("ORCHESTRATOR_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        Directory.CreateDirectory(logFolder);
        var logFile = Path.Combine(logFolder, $"{name}.{Guid.NewGuid().ToString("N")[..6]}.log");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var harness = new OrchestratorProcess(name, process, logFile, output);
        process.OutputDataReceived += (_, e) => harness.OnLine("out", e.Data);
        process.ErrorDataReceived += (_, e) => harness.OnLine("err", e.Data);
        harness._ring.Add("harness", $"$ dotnet orchestrator.dll {string.Join(' ', start.ArgumentList.Skip(1))}");
        if (!process.Start())
        {
            throw new InvalidOperationException($"{name}: dotnet did not start");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return harness;
    }

    /// <summary>Waits for a line of output (stdout or stderr) matching <paramref name="pattern"/>, already written or
    /// to come. Throws with the process's last lines when the deadline passes or the process ends first.</summary>
    public async Task<string> WaitForOutputAsync(Regex pattern, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var line = _ring.WhenLineAsync(pattern);
        var ended = _streamsClosed.Task;
        var finished = await Task.WhenAny(line, ended, Task.Delay(timeout));
        if (finished == line)
        {
            return await line;
        }

        // The line may have come just before the streams closed.
        if (line.IsCompleted)
        {
            return await line;
        }

        throw new TimeoutException(finished == ended
            ? $"{Name} exited (code {ExitCode}) without writing a line matching /{pattern}/:\n{Tail()}"
            : $"{Name} wrote no line matching /{pattern}/ within {timeout.TotalSeconds:0.#} s:\n{Tail()}");
    }

    /// <summary>Waits for the process to end on its own; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout.TotalSeconds:0.#} s:\n{Tail()}");
        }

        // Let the last lines arrive before anyone reads them.
        await Task.WhenAny(_streamsClosed.Task, Task.Delay(TimeSpan.FromSeconds(5)));
        return _process.ExitCode;
    }

    /// <summary>kill -9 of the process and everything it started (its tasks' commands too), as when its machine
    /// dies; returns once it is gone.</summary>
    public async Task Kill9Async()
    {
        _ring.Add("harness", "kill -9 (whole process tree)");
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // ended meanwhile
            }
        }

        await WaitForExitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>SIGTERM (what systemd, docker stop and Ctrl+C send), then waits up to <paramref name="grace"/> (30 s by
    /// default) for a clean exit; returns the exit code. Past the grace it is killed and this throws.</summary>
    public async Task<int> StopAsync(TimeSpan? grace = null)
    {
        if (_process.HasExited)
        {
            return _process.ExitCode;
        }

        _ring.Add("harness", "SIGTERM");
        UnixProcesses.Signal(_process.Id, "TERM");
        try
        {
            return await WaitForExitAsync(grace ?? DefaultStopGrace);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>The last lines of output.</summary>
    public string Tail(int lines = 200) => $"--- {Name} (pid {_process.Id}, log {LogFile}) ---\n{_ring.Tail(lines)}";

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (Exception exception) when (exception is InvalidOperationException or TimeoutException)
            {
                // gone already, or stuck in the kernel: nothing more a test can do
            }
        }

        try
        {
            _output?.WriteLine(Tail(100));
        }
        catch (InvalidOperationException)
        {
            // the test has already finished: its output is closed
        }

        _ring.Dispose();
        _process.Dispose();
    }

    private void OnLine(string stream, string? line)
    {
        if (line is null)
        {
            if (Interlocked.Decrement(ref _openStreams) == 0)
            {
                _streamsClosed.TrySetResult();
            }

            return;
        }

        _ring.Add(stream, line);
        if (stream == "out")
        {
            lock (_stdout)
            {
                if (_stdout.Length < StdoutLimit)
                {
                    _stdout.AppendLine(line);
                }
            }
        }
    }
}
