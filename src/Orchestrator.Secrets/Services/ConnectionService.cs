using Orchestrator.Core.Secrets;
using Orchestrator.Secrets.Connections;
using Orchestrator.Secrets.Encryption;
using Orchestrator.Secrets.Naming;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Secrets.Services;

/// <summary>Connections as the CLI and the API use them: checked, sealed whole (host, login, password, extra…)
/// before they reach the store; only the name and type stay readable without the key.</summary>
public sealed class ConnectionService(IConnectionStore store, SecretCipher cipher, TimeProvider time)
{
    public const string Kind = "connection";

    /// <summary>False (nothing written) when a connection of that name exists.</summary>
    /// <exception cref="ArgumentException">The name or a field is not valid; nothing is stored.</exception>
    public Task<bool> AddAsync(string name, ConnectionValues connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Require(name);
        if (ConnectionRules.Problem(connection) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        var sealedPayload = cipher.Seal(ConnectionPayload.Write(connection), Kind, name);
        return store.AddAsync(new ConnectionRecord(name, connection.Type, sealedPayload, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>The connection, or null when there is none of that name.</summary>
    /// <exception cref="SecretDecryptionException">It was written with another key.</exception>
    public async Task<ConnectionValues?> GetAsync(string name, CancellationToken cancellationToken)
    {
        Require(name);
        return await store.GetAsync(name, cancellationToken) is { } record ? Open(record) : null;
    }

    /// <summary>The stored records (name, type, time; the rest still sealed): open each with <see cref="Open"/>.</summary>
    public Task<IReadOnlyList<ConnectionRecord>> ListAsync(CancellationToken cancellationToken) => store.ListAsync(cancellationToken);

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        Require(name);
        return store.DeleteAsync(name, cancellationToken);
    }

    public ConnectionValues Open(ConnectionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return ConnectionPayload.Read(cipher.Open(record.Payload, Kind, record.Name));
    }

    private static void Require(string name)
    {
        if (SecretNames.Problem(name, "connection name") is { } problem)
        {
            throw new ArgumentException(problem);
        }
    }
}
