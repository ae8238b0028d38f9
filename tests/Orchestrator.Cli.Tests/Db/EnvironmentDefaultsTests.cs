using System.Diagnostics;

namespace Orchestrator.Cli.Tests.Db;

/// <summary>A cluster's processes are configured by environment variables (docs/distributed.md): ORCHESTRATOR_DAGS is
/// the default of <c>--dags</c>. Run as a child process, since the variable is process-wide and other tests run
/// in parallel.</summary>
public sealed class EnvironmentDefaultsTests
{
    [Fact]
    public async Task OrchestratorDags_IsTheDefaultDagFolder_AndDagsOverridesIt()
    {
        var dags = Directory.CreateTempSubdirectory("orchestrator-env-dags-").FullName;
        var home = Directory.CreateTempSubdirectory("orchestrator-env-home-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dags, "from_env.json"), """{"id": "from_env", "tasks": [{"id": "t", "type": "empty"}]}""");

            var fromEnvironment = await RunAsync(dags, home, "dags", "list", "--output", "json");
            var overridden = await RunAsync(dags, home, "dags", "list", "--output", "json", "--dags", home);

            Assert.Contains("\"from_env\"", fromEnvironment);
            Assert.DoesNotContain("\"from_env\"", overridden);
        }
        finally
        {
            Directory.Delete(dags, recursive: true);
            Directory.Delete(home, recursive: true);
        }
    }

    private static async Task<string> RunAsync(string dagsVariable, string home, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "orchestrator.dll"));
        foreach (var arg in args.Concat(["--home", home]))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ORCHESTRATOR_DAGS"] = dagsVariable;
        start.Environment.Remove("ORCHESTRATOR_STORAGE");
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(process.ExitCode == 0, await error);
        return await output;
    }
}
