using System.Text;
using Orchestrator.Core.Model;
using Orchestrator.Loading;
using Orchestrator.Loading.Folder;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Catalog;

/// <summary>The DAGs of the folder as the engine sees them now. <see cref="RefreshAsync"/> rereads the folder
/// (unchanged C# files are not recompiled), records new versions and the import errors of every file in the store,
/// and keeps every loaded version in <see cref="Versions"/> so running runs keep theirs.</summary>
public sealed class DagCatalog(string folder, DagFolderLoader loader, IMetadataStore store, TimeProvider time)
{
    private readonly HashSet<string> _filesWithErrors = new(StringComparer.Ordinal);

    public DagVersions Versions { get; } = new();

    /// <summary>The current version of each DAG of the folder.</summary>
    public IReadOnlyDictionary<DagId, LoadedDag> Current { get; private set; } = new Dictionary<DagId, LoadedDag>();

    public IReadOnlyList<ImportError> ImportErrors { get; private set; } = [];

    /// <summary>Raised after a refresh that changed a DAG, added one or removed one.</summary>
    public event Action? Changed;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var snapshot = await loader.LoadAsync(folder, cancellationToken, await StoreNames.ReadAsync(store, cancellationToken));
        var now = time.GetUtcNow();
        var changed = snapshot.Dags.Count != Current.Count;
        foreach (var dag in snapshot.Dags.Values)
        {
            if (Current.GetValueOrDefault(dag.Id)?.Version == dag.Version)
            {
                continue;
            }

            changed = true;
            Versions.Add(dag);
            await DagRegistration.RegisterAsync(store, dag, now, cancellationToken);
        }

        await store.Dags.MarkActiveAsync([.. snapshot.Dags.Keys], now, cancellationToken);
        await RecordImportErrorsAsync(snapshot, now, cancellationToken);
        Current = snapshot.Dags;
        ImportErrors = snapshot.ImportErrors;
        if (changed)
        {
            Changed?.Invoke();
        }
    }

    /// <summary>A DAG version a run is pinned to: loaded already, or rebuilt from the source text the store kept
    /// (a run triggered from the CLI just before the file changed).</summary>
    public async Task<LoadedDag?> GetVersionAsync(DagId dagId, string version, CancellationToken cancellationToken)
    {
        if (Versions.Get(dagId, version) is { } loaded)
        {
            return loaded;
        }

        if (await store.Dags.GetVersionAsync(dagId, version, cancellationToken) is not { } stored)
        {
            return null;
        }

        var result = await loader.LoadContentAsync(stored.FilePath, Encoding.UTF8.GetBytes(stored.Source), cancellationToken);
        var dag = result.Dags.FirstOrDefault(d => d.Id == dagId && d.Version == version);
        if (dag is not null)
        {
            Versions.Add(dag);
        }

        return dag;
    }

    private async Task RecordImportErrorsAsync(DagFolderSnapshot snapshot, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var byFile = snapshot.ImportErrors.GroupBy(error => error.File).ToDictionary(group => group.Key, group => group.ToList());
        foreach (var (file, errors) in byFile)
        {
            await store.Dags.ReplaceImportErrorsAsync(file,
                [.. errors.Select(e => new ImportErrorRecord(file, e.Message, e.Location.Line, e.Location.Column, now))], cancellationToken);
        }

        foreach (var fixedFile in _filesWithErrors.Where(file => !byFile.ContainsKey(file)).ToList())
        {
            await store.Dags.ReplaceImportErrorsAsync(fixedFile, [], cancellationToken);
            _filesWithErrors.Remove(fixedFile);
        }

        _filesWithErrors.UnionWith(byFile.Keys);
    }
}
