using System.Collections.Concurrent;
using Orchestrator.Core.Secrets;
using Orchestrator.Secrets.Connections;
using Orchestrator.Secrets.Encryption;
using Orchestrator.Secrets.Masking;
using Orchestrator.Secrets.Services;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Secrets.Values;

/// <summary>Builds the <see cref="ISecretValues"/> a try's templates read: every stored Variable and Connection is
/// loaded (they are few) before rendering, which is synchronous. Values are decrypted when first asked for, so a
/// value sealed with another key fails only the try that uses it, with a message naming it.</summary>
public static class SecretValuesLoader
{
    public static async Task<ISecretValues> LoadAsync(IMetadataStore store, SecretCipher cipher, SecretMasker masker, CancellationToken cancellationToken) =>
        await LoadAsync(store, cipher, masker, SensitiveNames.Default, cancellationToken);

    public static async Task<ISecretValues> LoadAsync(IMetadataStore store, SecretCipher cipher, SecretMasker masker, SensitiveNames names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var variables = await store.Variables.ListAsync(cancellationToken);
        var connections = await store.Connections.ListAsync(cancellationToken);
        return new StoredSecretValues(variables, connections, cipher, masker, names);
    }
}

/// <summary>Variables and Connections loaded from the store. Every value handed out is first told to the try's
/// masker: each variable value (the masker ignores values shorter than its minimum length, 4 by default), a
/// connection's password, and its extra values whose keys look sensitive.</summary>
internal sealed class StoredSecretValues(
    IReadOnlyList<VariableRecord> variables,
    IReadOnlyList<ConnectionRecord> connections,
    SecretCipher cipher,
    SecretMasker masker,
    SensitiveNames names) : ISecretValues
{
    private readonly Dictionary<string, VariableRecord> _variables = variables.ToDictionary(v => v.Name, StringComparer.Ordinal);
    private readonly Dictionary<string, ConnectionRecord> _connections = connections.ToDictionary(c => c.Name, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _openVariables = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConnectionValues> _openConnections = new(StringComparer.Ordinal);

    public string? GetVariable(string name)
    {
        if (!_variables.TryGetValue(name, out var record))
        {
            return null;
        }

        return _openVariables.GetOrAdd(name, _ =>
        {
            var value = cipher.Open(record.Value, VariableService.Kind, name);
            masker.Add(value);
            return value;
        });
    }

    public ConnectionValues? GetConnection(string name)
    {
        if (!_connections.TryGetValue(name, out var record))
        {
            return null;
        }

        return _openConnections.GetOrAdd(name, _ =>
        {
            var connection = ConnectionPayload.Read(cipher.Open(record.Payload, ConnectionService.Kind, name));
            masker.Add(connection.Password);
            foreach (var (key, value) in connection.Extra ?? new Dictionary<string, string>())
            {
                if (names.IsSensitive(key))
                {
                    masker.Add(value);
                }
            }

            return connection;
        });
    }
}
