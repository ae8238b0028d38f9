namespace Orchestrator.ML.Models;

/// <summary>For processes that serve no model (the CLI's <c>dags test</c>, a worker): a deploy has no one to tell.</summary>
public sealed class NoDeploymentNotifier : IModelDeploymentNotifier
{
    public static NoDeploymentNotifier Instance { get; } = new();

    public Task AliasMovedAsync(string name, string alias, CancellationToken cancellationToken) => Task.CompletedTask;
}
