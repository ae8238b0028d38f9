using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orchestrator.Web.BrowserTests.Infrastructure;

/// <summary>The real <c>orchestrator</c> CLI as users run it (orchestrator.dll sits in this project's bin through
/// the project reference): one-shot commands, and the long-running <c>standalone</c> the browser talks to.</summary>
internal static class OrchestratorProcess
{
    private static string Dll => Path.Combine(AppContext.BaseDirectory, "orchestrator.dll");

    /// <summary>Runs one CLI command to its end; a non-zero exit fails with the command and everything it printed.</summary>
    public static async Task<string> RunAsync(string? stdin, TimeSpan limit, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteLineAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`orchestrator {string.Join(' ', args)}` did not finish within {limit.TotalSeconds} s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`orchestrator {string.Join(' ', args)}` exited with {process.ExitCode}:\n{await output}\n{await error}");
        }

        return await output;
    }

    public static Process StartStandalone(string dags, string home, int port, params string[] moreArgs)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        string[] args = ["standalone", "--dags", dags, "--home", home, "--port", port.ToString(CultureInfo.InvariantCulture), .. moreArgs];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    /// <summary>Collects a long-running process's output, for failure messages.</summary>
    public static StringBuilder Capture(Process process)
    {
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return log;
    }

    public static async Task WaitHealthyAsync(Process process, int port, StringBuilder log, TimeSpan limit)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            if (process.HasExited)
            {
                break;
            }

            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        lock (log)
        {
            throw new TimeoutException($"standalone on port {port} never became healthy within {limit.TotalSeconds} s:\n{log}");
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
