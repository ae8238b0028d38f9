namespace Orchestrator.Cli.Tests;

/// <summary>Runs the CLI in this process with captured output.</summary>
internal static class CliRunner
{
    // Commands that record state get a home of their own unless the test chooses one.
    private static readonly string DefaultHome = Directory.CreateTempSubdirectory("orchestrator-cli-home-").FullName;

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        if (!args.Contains("--home") && !args.Contains("--storage") && !args.Contains("--help"))
        {
            args = [.. args, "--home", DefaultHome];
        }

        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    public static string RepoDags { get; } = Path.Combine(RepoRoot(), "dags");

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Orchestrator.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
