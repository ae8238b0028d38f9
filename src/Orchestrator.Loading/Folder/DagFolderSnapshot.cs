using Orchestrator.Core.Model;

namespace Orchestrator.Loading.Folder;

/// <summary>What a DAG folder held when it was read: the DAGs that loaded, every import error, and the version
/// of every file (so a rescan can tell what changed).</summary>
public sealed record DagFolderSnapshot(
    IReadOnlyDictionary<DagId, LoadedDag> Dags,
    IReadOnlyList<ImportError> ImportErrors,
    IReadOnlyDictionary<string, string> FileVersions);
