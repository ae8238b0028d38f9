namespace Orchestrator.Storage.Records;

/// <summary>A value encrypted by Orchestrator.Secrets: the id of the key it was sealed with (so a different key is
/// recognised before decrypting) and the sealed bytes, base64. The store never sees plaintext.</summary>
public sealed record SealedValue(string KeyId, string Ciphertext);

/// <summary>One Variable: a name and its encrypted value.</summary>
public sealed record VariableRecord(string Name, SealedValue Value, DateTimeOffset UpdatedAt);

/// <summary>One Connection: its name and type in clear (to list them without the key) and everything else
/// (host, port, login, password, schema, extra) encrypted as one value.</summary>
public sealed record ConnectionRecord(string Name, string Type, SealedValue Payload, DateTimeOffset UpdatedAt);
