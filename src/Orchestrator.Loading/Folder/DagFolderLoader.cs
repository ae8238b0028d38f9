using System.Collections.Concurrent;
using Orchestrator.Core.Model;

namespace Orchestrator.Loading.Folder;

/// <summary>Reads every DAG file of a folder (and its subfolders) with the loader that handles its extension.
/// A file that fails to load becomes import errors; it never stops the other files. A file whose content is the
/// same as at its last load is not parsed again: the folder is rescanned every few seconds, and a DAG of ten
/// thousand tasks costs a scheduler a quarter of its time when parsed each time.</summary>
public sealed class DagFolderLoader
{
    private readonly IReadOnlyList<IDagFileLoader> _loaders;
    private readonly ConcurrentDictionary<string, DagFileLoadResult> _lastLoads = new(StringComparer.Ordinal);

    public DagFolderLoader(IReadOnlyList<IDagFileLoader> loaders)
    {
        _loaders = [.. loaders];
    }

    /// <summary>The DAG files of <paramref name="folder"/>, sorted, skipping hidden folders and build output. Symbolic
    /// links are followed, but each real file is listed once and a loop of links is walked once.</summary>
    public IReadOnlyList<string> FindFiles(string folder)
    {
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"DAG folder '{folder}' does not exist (set it with --dags DIR)");
        }

        return new DagFileWalk(file => _loaders.Any(loader => loader.CanLoad(file))).Run(folder);
    }

    /// <summary>The real folders to watch for changes to <paramref name="folder"/>'s DAG files: the folder itself and
    /// every folder outside it that a symbolic link in it leads to (each once, however many links lead there).</summary>
    public static IReadOnlyList<string> FindWatchRoots(string folder)
    {
        var walk = new DagFileWalk(_ => false); // folders only
        walk.Run(folder);
        return walk.WatchRoots();
    }

    /// <summary>Loads every file of the folder; <paramref name="external"/> names the models and datasets the store
    /// knows, which a DAG's triggers may name besides those the folder's DAGs produce.</summary>
    public async Task<DagFolderSnapshot> LoadAsync(string folder, CancellationToken cancellationToken, ExternalNames? external = null)
    {
        var files = FindFiles(folder);
        var results = await Task.WhenAll(files.Select(file => LoadFileAsync(file, cancellationToken)));
        foreach (var gone in _lastLoads.Keys.Except(files, StringComparer.Ordinal).ToList())
        {
            _lastLoads.TryRemove(gone, out _);
        }

        var dags = new Dictionary<DagId, LoadedDag>();
        var errors = new List<ImportError>();
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            versions[result.FilePath] = result.Version;
            errors.AddRange(result.Errors);
            foreach (var dag in result.Dags)
            {
                if (dags.TryGetValue(dag.Id, out var first))
                {
                    errors.Add(new ImportError(dag.Definition.Location with { File = dag.FilePath },
                        $"DAG id '{dag.Id}' is already defined in {first.FilePath}; ids must be unique across the folder"));
                }
                else
                {
                    dags[dag.Id] = dag;
                }
            }
        }

        errors.AddRange(TriggerReferenceCheck.Apply(dags, external ?? ExternalNames.None));
        return new DagFolderSnapshot(dags, errors, versions);
    }

    /// <summary>Loads one file; an unexpected failure of its loader is an import error too.</summary>
    public async Task<DagFileLoadResult> LoadFileAsync(string path, CancellationToken cancellationToken)
    {
        var loader = _loaders.FirstOrDefault(candidate => candidate.CanLoad(path));
        byte[] content;
        try
        {
            content = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (IOException exception)
        {
            return DagFileLoadResult.Failed(path, "", new ImportError(new SourceLocation(path), $"cannot read the file: {exception.Message}"));
        }

        var version = DagVersion.Of(content);
        if (loader is null)
        {
            return DagFileLoadResult.Failed(path, version, new ImportError(new SourceLocation(path), "not a DAG file: expected a .json or .cs file"));
        }

        if (_lastLoads.TryGetValue(path, out var last) && last.Version == version)
        {
            return last; // the same bytes load to the same DAGs and errors
        }

        try
        {
            var result = await loader.LoadAsync(path, content, cancellationToken);
            _lastLoads[path] = result;
            return result;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Not kept: an unexpected failure may not happen again.
            return DagFileLoadResult.Failed(path, version, new ImportError(new SourceLocation(path), $"loading failed: {exception.Message}"));
        }
    }

    /// <summary>Loads a DAG file's content without reading it from disk (a version kept in the metadata store).</summary>
    public async Task<DagFileLoadResult> LoadContentAsync(string path, byte[] content, CancellationToken cancellationToken)
    {
        var loader = _loaders.FirstOrDefault(candidate => candidate.CanLoad(path))
            ?? throw new ArgumentException($"no loader for '{path}'", nameof(path));
        return await loader.LoadAsync(path, content, cancellationToken);
    }
}
