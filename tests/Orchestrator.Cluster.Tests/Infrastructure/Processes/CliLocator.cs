namespace Orchestrator.Cluster.Tests.Infrastructure.Processes;

/// <summary>Finds the built CLI: the project reference copies orchestrator.dll (same configuration) next to the test
/// assembly; it is started as <c>dotnet orchestrator.dll …</c>, as from a checkout.</summary>
public static class CliLocator
{
    public static string CliDll
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "orchestrator.dll");
            return File.Exists(dll)
                ? dll
                : throw new FileNotFoundException(
                    $"the built CLI is missing next to the tests ({dll}): build tests/Orchestrator.Cluster.Tests, which references src/Orchestrator.Cli");
        }
    }

    /// <summary>The checkout's root (where Orchestrator.sln is), found by walking up from the test assembly.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Orchestrator.sln")))
                {
                    return folder.FullName;
                }
            }

            throw new DirectoryNotFoundException($"no Orchestrator.sln above {AppContext.BaseDirectory}");
        }
    }
}
