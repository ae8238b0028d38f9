using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary>`orchestrator standalone` as a user runs it: a separate process serving /health, running a run that
/// another process triggered, and stopping cleanly on SIGTERM.</summary>
public sealed class StandaloneProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-standalone-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task Standalone_ServesHealth_RunsATriggeredRun_AndStopsOnSigterm()
    {
        var dags = Directory.CreateDirectory(Path.Combine(_root, "dags")).FullName;
        var home = Path.Combine(_root, "home");
        await File.WriteAllTextAsync(Path.Combine(dags, "hello.json"),
            """{"id": "hello", "tasks": [{"id": "say", "type": "shell", "args": {"command": "echo hello from {{ run.id }}"}}]}""");
        var port = FreePort();
        using var process = Start("standalone", "--dags", dags, "--home", home, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient();
            var health = await EventuallyAsync(async () =>
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
            Assert.Contains("\"status\":\"healthy\"", health, StringComparison.Ordinal);

            var (exit, runId, _) = await CliRunner.RunAsync("dags", "trigger", "hello", "--dags", dags, "--home", home);
            Assert.Equal(0, exit);
            await EventuallyAsync(async () =>
            {
                var (_, list, _) = await CliRunner.RunAsync("runs", "list", "--home", home, "--output", "json");
                return JsonDocument.Parse(list).RootElement.EnumerateArray().Any(r => r.GetProperty("state").GetString() == "success") ? "done" : null;
            });
            var (_, logs, _) = await CliRunner.RunAsync("tasks", "logs", runId.Trim(), "say", "--home", home);
            Assert.Contains($"hello from {runId.Trim()}", logs, StringComparison.Ordinal);
        }
        finally
        {
            using var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(stop.Token);
        }

        Assert.Equal(0, process.ExitCode);
        lock (log)
        {
            Assert.Contains("listening on http://localhost:", log.ToString(), StringComparison.Ordinal);
            Assert.Contains("Stopped", log.ToString(), StringComparison.Ordinal);
        }
    }

    private static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "orchestrator.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> EventuallyAsync(Func<Task<string?>> attempt)
    {
        for (var i = 0; i < 120; i++)
        {
            if (await attempt() is { } value)
            {
                return value;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("not reached within 30 s");
    }
}
