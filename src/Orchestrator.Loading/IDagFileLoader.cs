namespace Orchestrator.Loading;

/// <summary>Turns one kind of DAG file into DAGs or import errors. Never throws for a bad file.</summary>
public interface IDagFileLoader
{
    /// <summary>Whether this loader reads files like <paramref name="path"/> (by extension).</summary>
    bool CanLoad(string path);

    Task<DagFileLoadResult> LoadAsync(string path, byte[] content, CancellationToken cancellationToken);
}
