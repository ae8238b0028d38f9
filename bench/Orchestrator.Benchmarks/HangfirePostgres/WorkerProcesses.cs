using System.Diagnostics;
using System.Reflection;

namespace Orchestrator.Benchmarks.HangfirePostgres;

/// <summary>The bench's worker processes: this same program re-executed as `hangfire-pg-worker …`, one
/// BackgroundJobServer each. Their stderr passes through; disposing closes their stdin (a graceful stop) and waits.</summary>
internal sealed class WorkerProcesses : IAsyncDisposable
{
    private readonly List<Process> _processes = [];

    public static async Task<WorkerProcesses> StartAsync(string connectionString, string optionSet, int processes, int threads)
    {
        var workers = new WorkerProcesses();
        try
        {
            for (var i = 0; i < processes; i++)
            {
                workers._processes.Add(Start(connectionString, optionSet, threads, $"bench-worker-{i}"));
            }

            foreach (var process in workers._processes)
            {
                var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2));
                if (line != HangfirePgWorker.Ready)
                {
                    throw new InvalidOperationException($"worker process {process.Id} did not start (said: {line ?? "nothing, it exited"})");
                }
            }

            return workers;
        }
        catch
        {
            await workers.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            process.StandardInput.Close();
        }

        foreach (var process in _processes)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }
    }

    private static Process Start(string connectionString, string optionSet, int threads, string name)
    {
        // Under `dotnet run` this program is its own apphost; under `dotnet X.dll` the host needs the dll first.
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell this program's path to re-execute it");
        var start = new ProcessStartInfo(host) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        }

        foreach (var argument in new[] { "hangfire-pg-worker", connectionString, optionSet, threads.ToString(System.Globalization.CultureInfo.InvariantCulture), name })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start a worker process");
    }
}
