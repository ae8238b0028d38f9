namespace Orchestrator.Storage.Records;

/// <summary>A person (or script owner) who may sign in. <paramref name="Role"/> is viewer, operator or admin;
/// <paramref name="PasswordHash"/> is ASP.NET Core Identity's hash (never the password), null for a user who signs in
/// with tokens only.</summary>
public sealed record UserRecord(string Name, string Role, string? PasswordHash, DateTimeOffset CreatedAt, bool Disabled);

/// <summary>An API token: the store keeps the SHA-256 of the token (hex), never the token itself, which is shown once
/// when created. A token is usable until <paramref name="ExpiresAt"/> (null: never) unless revoked.</summary>
public sealed record ApiTokenRecord(
    string Id,
    string Owner,
    string Name,
    string TokenHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt)
{
    public bool IsUsableAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is not { } expires || now < expires);
}
