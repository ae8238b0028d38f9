using Orchestrator.Core.Graph;
using Orchestrator.Core.Model;

namespace Orchestrator.Loading;

/// <summary>A DAG that loaded and validated, with the file it came from and that file's version.</summary>
public sealed record LoadedDag(DagDefinition Definition, DagGraph Graph, string FilePath, string Version)
{
    public DagId Id => Definition.Id;

    /// <summary>The folder relative paths in task args resolve against.</summary>
    public string Folder => Path.GetDirectoryName(Path.GetFullPath(FilePath)) ?? ".";
}

/// <summary>Why (part of) a DAG file did not load: where, and what is expected.</summary>
public sealed record ImportError(SourceLocation Location, string Message)
{
    public string File => Location.File ?? "<unknown file>";

    public override string ToString() => $"{Location}: {Message}";
}

/// <summary>Everything one file yielded: its DAGs (a C# file may hold several) and its import errors.</summary>
public sealed record DagFileLoadResult(string FilePath, string Version, IReadOnlyList<LoadedDag> Dags, IReadOnlyList<ImportError> Errors)
{
    public static DagFileLoadResult Failed(string filePath, string version, params ImportError[] errors) =>
        new(filePath, version, [], errors);
}
