using System.Diagnostics;
using System.Text;

namespace Orchestrator.Cluster.Tests.Infrastructure.Postgres;

/// <summary>Runs a short command to completion with a deadline, as the given user when one is named (root
/// cannot run initdb or the server), and returns its exit code and combined output.</summary>
internal static class ShellRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string? user, string command, TimeSpan timeout)
    {
        var start = user is null ? new ProcessStartInfo("/bin/sh") : new ProcessStartInfo("su");
        if (user is not null)
        {
            start.ArgumentList.Add(user);
            start.ArgumentList.Add("-s");
            start.ArgumentList.Add("/bin/sh");
        }

        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start: {command}");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command}' did not finish within {timeout.TotalSeconds:0} s:\n{output}");
        }

        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>Single-quotes a value for /bin/sh.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
