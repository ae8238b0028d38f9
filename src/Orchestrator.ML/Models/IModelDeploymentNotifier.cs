namespace Orchestrator.ML.Models;

/// <summary>Told when a deploy moved an alias, so the model servers in this process switch at once instead of at their
/// next refresh from the store.</summary>
public interface IModelDeploymentNotifier
{
    void AliasMoved(string model, string alias);
}

/// <summary>For processes that serve nothing (the CLI's <c>dags test</c>, a worker).</summary>
public sealed class NoDeploymentNotifier : IModelDeploymentNotifier
{
    public static NoDeploymentNotifier Instance { get; } = new();

    public void AliasMoved(string model, string alias)
    {
    }
}
