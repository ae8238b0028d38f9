using Orchestrator.Secrets.Encryption;
using Orchestrator.Secrets.Naming;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Secrets.Services;

/// <summary>Variables as the CLI and the API use them: names checked, values sealed before they reach the store
/// and opened after they leave it.</summary>
public sealed class VariableService(IVariableStore store, SecretCipher cipher, TimeProvider time)
{
    public const string Kind = "variable";

    /// <exception cref="ArgumentException">The name is not valid; nothing is stored.</exception>
    public Task SetAsync(string name, string value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(value);
        Require(name);
        return store.SetAsync(new VariableRecord(name, cipher.Seal(value, Kind, name), time.GetUtcNow()), cancellationToken);
    }

    /// <summary>The value, or null when there is no such variable.</summary>
    /// <exception cref="SecretDecryptionException">It was written with another key.</exception>
    public async Task<string?> GetAsync(string name, CancellationToken cancellationToken)
    {
        Require(name);
        return await store.GetAsync(name, cancellationToken) is { } record ? Open(record) : null;
    }

    /// <summary>Names and update times only: listing never needs the key and never shows a value.</summary>
    public async Task<IReadOnlyList<VariableSummary>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await store.ListAsync(cancellationToken)).Select(record => new VariableSummary(record.Name, record.UpdatedAt))];

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        Require(name);
        return store.DeleteAsync(name, cancellationToken);
    }

    public string Open(VariableRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return cipher.Open(record.Value, Kind, record.Name);
    }

    private static void Require(string name)
    {
        if (SecretNames.Problem(name, "variable name") is { } problem)
        {
            throw new ArgumentException(problem);
        }
    }
}

public sealed record VariableSummary(string Name, DateTimeOffset UpdatedAt);
