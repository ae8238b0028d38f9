using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orchestrator.Cli.Tests;

/// <summary>A real <c>orchestrator standalone</c> process, as users start it, for tests of what happens across
/// processes: locks, crashes, signals.</summary>
internal static class StandaloneProcess
{
    public static Process Start(string dags, string home, int port, params (string Name, string Value)[] environment) =>
        Start(dags, home, port, [], environment);

    public static Process Start(string dags, string home, int port, string[] moreArgs, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "orchestrator.dll"));
        string[] args = ["standalone", "--dags", dags, "--home", home, "--port", port.ToString(CultureInfo.InvariantCulture), "--workers", "1", .. moreArgs];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return Process.Start(start)!;
    }

    /// <summary>Collects a long-running engine's output, for the message when it never becomes healthy.</summary>
    public static StringBuilder Capture(Process process)
    {
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return log;
    }

    public static async Task WaitHealthyAsync(int port, StringBuilder log)
    {
        using var http = new HttpClient();
        try
        {
            await EventuallyAsync(async () =>
            {
                try
                {
                    return await http.GetStringAsync(new Uri($"http://localhost:{port}/health"));
                }
                catch (HttpRequestException)
                {
                    return null;
                }
            });
        }
        catch (TimeoutException)
        {
            lock (log)
            {
                throw new TimeoutException($"standalone on port {port} never became healthy:\n{log}");
            }
        }
    }

    public static void Kill(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public static async Task KillAllAsync(params Process?[] processes)
    {
        foreach (var process in processes)
        {
            if (process is { HasExited: false })
            {
                Kill(process.Id, "KILL");
                await process.WaitForExitAsync();
            }

            process?.Dispose();
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<string> EventuallyAsync(Func<Task<string?>> attempt, int seconds = 60)
    {
        for (var i = 0; i < seconds * 4; i++)
        {
            if (await attempt() is { } value)
            {
                return value;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"not reached within {seconds} s");
    }
}
