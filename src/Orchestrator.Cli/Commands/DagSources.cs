using Orchestrator.Execution.TaskTypes;
using Orchestrator.Loading;
using Orchestrator.Loading.Folder;

namespace Orchestrator.Cli.Commands;

/// <summary>The task types this host can run and a folder loader that checks DAG files against them.</summary>
internal static class DagSources
{
    public static TaskTypeRegistry Registry { get; } = TaskTypeRegistry.CreateDefault();

    public static DagFolderLoader CreateLoader() =>
        DagLoaders.CreateFolderLoader(new DagLoaderOptions { KnownTaskTypes = Registry.KnownTypes });

    /// <summary>A path as the user reads it: relative to the working folder when inside it.</summary>
    public static string Display(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, full);
        return relative.StartsWith("..", StringComparison.Ordinal) ? full : relative;
    }
}
