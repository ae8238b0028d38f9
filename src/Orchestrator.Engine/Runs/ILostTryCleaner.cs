using Orchestrator.Storage.Records;

namespace Orchestrator.Engine.Runs;

/// <summary>Makes sure a try found running after a restart has really stopped (its recorded process group killed)
/// before the coordinator records it lost and queues the try that replaces it.</summary>
public interface ILostTryCleaner
{
    /// <summary>True when nothing of the try runs any more; false when it may still run (the coordinator then leaves
    /// it as it is rather than start a second try beside it).</summary>
    Task<bool> StopAsync(TaskInstanceRecord lostTry, CancellationToken cancellationToken);
}

/// <summary>For engines whose tries leave nothing behind (tests with in-process tasks only).</summary>
public sealed class NoLostTryCleaner : ILostTryCleaner
{
    public static NoLostTryCleaner Instance { get; } = new();

    public Task<bool> StopAsync(TaskInstanceRecord lostTry, CancellationToken cancellationToken) => Task.FromResult(true);
}
