using Orchestrator.Cli.Output;
using Orchestrator.Core.Graph;
using Orchestrator.Loading;
using Orchestrator.Loading.Folder;

namespace Orchestrator.Cli.Commands;

/// <summary>Finds DAGs for commands, with the host's folder loader (which checks DAG files against the registered
/// task types).</summary>
internal static class DagSources
{
    /// <summary>The DAG named by a file path or an id in the folder; prints why when there is none. <paramref name="external"/>:
    /// the models and datasets the store knows, for checking triggers.</summary>
    public static async Task<LoadedDag?> FindAsync(CliConsole console, DagFolderLoader loader, string target, string folder, ExternalNames external, CancellationToken cancellationToken)
    {
        if (File.Exists(target))
        {
            var file = await loader.LoadFileAsync(target, cancellationToken);
            if (file.Errors.Count > 0 || file.Dags.Count != 1)
            {
                await WriteErrorsAsync(console, file.Errors, file.Dags.Count > 1
                    ? $"{target} defines {file.Dags.Count} DAGs ({string.Join(", ", file.Dags.Select(d => d.Id))}); pass one DAG id with --dags pointing at its folder"
                    : $"{target} could not be loaded");
                return null;
            }

            return file.Dags[0];
        }

        if (!Directory.Exists(folder))
        {
            await console.Error.WriteLineAsync($"error: '{target}' is not a file, and the DAG folder '{folder}' does not exist (set it with --dags DIR)");
            return null;
        }

        var snapshot = await loader.LoadAsync(folder, cancellationToken, external);
        if (Core.Model.IdentifierRules.IsValid(target) && snapshot.Dags.TryGetValue(new Core.Model.DagId(target), out var dag))
        {
            return dag;
        }

        var hint = EditDistance.Closest(target, snapshot.Dags.Keys.Select(id => id.Value)) is { } close ? $"; did you mean '{close}'?" : "";
        var known = snapshot.Dags.Count == 0 ? "none" : string.Join(", ", snapshot.Dags.Keys.Select(id => id.Value).Order(StringComparer.Ordinal));
        await WriteErrorsAsync(console, snapshot.ImportErrors,
            $"no DAG '{target}' in {folder}{hint} (DAGs found: {known})" + (snapshot.ImportErrors.Count > 0 ? "; these files failed to load:" : ""));
        return null;
    }

    private static async Task WriteErrorsAsync(CliConsole console, IReadOnlyList<ImportError> errors, string headline)
    {
        await console.Error.WriteLineAsync($"error: {headline}");
        foreach (var error in errors)
        {
            await console.Error.WriteLineAsync($"  {ImportErrorJson.Describe(error)}");
        }
    }

    /// <summary>A path as the user reads it: relative to the working folder when inside it.</summary>
    public static string Display(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, full);
        return relative.StartsWith("..", StringComparison.Ordinal) ? full : relative;
    }
}
