using System.Diagnostics;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary>`--help` must not print what the environment holds for an option: the store's connection string carries
/// the database password, which users put in ORCHESTRATOR_STORAGE precisely to keep it off screens and logs.</summary>
public sealed class HelpSecrecyTests
{
    [Theory]
    [InlineData("worker")]
    [InlineData("scheduler")]
    [InlineData("webserver")]
    [InlineData("standalone")]
    [InlineData("db", "migrate")]
    public async Task Help_NeverShowsTheStoragePassword(params string[] command)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "orchestrator.dll"));
        foreach (var arg in command.Append("--help"))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ORCHESTRATOR_STORAGE"] = "Host=db.example;Username=orchestrator;Password=hunter2-secret";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60)); // a hang guard, not a timing

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("--storage", await output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", (await output) + (await error), StringComparison.Ordinal);
    }
}
