using Orchestrator.Storage.Records;

namespace Orchestrator.Storage;

/// <summary>Users and their API tokens (access control). Names and roles are checked by the caller
/// (Orchestrator.Web.Security); this store keeps what it is given, and only hashes.</summary>
public interface IUserStore
{
    /// <summary>False when a user of that name exists (nothing changes).</summary>
    Task<bool> AddAsync(UserRecord user, CancellationToken cancellationToken);

    Task<UserRecord?> GetAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every user, by name.</summary>
    Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Whether any user exists (cheap: the sign-in page warns when none does).</summary>
    Task<bool> AnyAsync(CancellationToken cancellationToken);

    /// <summary>Replaces a user's password hash (a new password, or a rehash with stronger settings). False when
    /// there is no such user.</summary>
    Task<bool> SetPasswordHashAsync(string name, string passwordHash, CancellationToken cancellationToken);

    /// <summary>Deletes the user and all its tokens. False when there was no such user.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>False when the owner does not exist or the id is taken (nothing changes).</summary>
    Task<bool> AddTokenAsync(ApiTokenRecord token, CancellationToken cancellationToken);

    /// <summary>The token whose SHA-256 is <paramref name="tokenHash"/>, revoked or not.</summary>
    Task<ApiTokenRecord?> FindTokenByHashAsync(string tokenHash, CancellationToken cancellationToken);

    Task<ApiTokenRecord?> GetTokenAsync(string id, CancellationToken cancellationToken);

    /// <summary>The tokens of <paramref name="owner"/> (every token when null), oldest first.</summary>
    Task<IReadOnlyList<ApiTokenRecord>> ListTokensAsync(string? owner, CancellationToken cancellationToken);

    /// <summary>False when there is no such token or it was already revoked.</summary>
    Task<bool> RevokeTokenAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records that the token was used at <paramref name="at"/> (callers throttle this; see the bearer
    /// handler).</summary>
    Task TouchTokenAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);
}
