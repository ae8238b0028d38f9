namespace Orchestrator.ML.Models;

/// <summary>Told by a deploy (<c>ml.deploy</c>, the CLI's alias set) right after it moved a model's alias in the
/// registry, so a model server in the same process switches at once instead of at its next background refresh.
/// Servers in other processes pick the move up from the registry on their own.</summary>
public interface IModelDeploymentNotifier
{
    /// <summary>Re-reads the alias from the registry and serves the version it now points at. Completes when new
    /// requests get that version (its package loaded); requests already running finish on the version they started on.</summary>
    Task AliasMovedAsync(string name, string alias, CancellationToken cancellationToken);
}
