using Orchestrator.Application;

namespace Orchestrator.Cli.Hosting;

/// <summary>An application-layer refusal as the CLI reports it: "error: …" on stderr, exit code 2 for a request that
/// is wrong (unknown name, bad value: as for a DAG that cannot be found) and 1 for one the current state forbids.</summary>
internal static class ApplicationProblems
{
    public static async Task<int> RunAsync(CliConsole console, Func<Task<int>> action)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(action);
        try
        {
            return await action();
        }
        catch (ApplicationProblemException problem)
        {
            await console.Error.WriteLineAsync($"error: {problem.Message}");
            return ExitCode(problem.Kind);
        }
    }

    public static int ExitCode(ProblemKind kind) => kind is ProblemKind.NotFound or ProblemKind.Invalid ? 2 : 1;
}
