using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>Connections (how to reach a system, with credentials), stored encrypted by the caller.</summary>
public interface IConnectionStore
{
    /// <summary>Adds the connection; false (and nothing written) when one of that name exists.</summary>
    Task<bool> AddAsync(ConnectionRecord connection, CancellationToken cancellationToken);

    Task<ConnectionRecord?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every connection, by name.</summary>
    Task<IReadOnlyList<ConnectionRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>False when there was no such connection.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);
}
