using Microsoft.AspNetCore.Identity;
using Orchestrator.Application;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Web.Security;

/// <summary>The user and token use cases shared by the CLI (<c>orchestrator users</c>) and the API: input is checked
/// here (refusals are <see cref="ApplicationProblemException"/>s naming the field), passwords are hashed with ASP.NET
/// Core Identity's <see cref="PasswordHasher{TUser}"/>, tokens are stored as SHA-256 only.</summary>
public sealed class UserAccounts(IUserStore store, TimeProvider time)
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 1024;

    private static readonly PasswordHasher<UserRecord> Hasher = new();
    private static readonly UserRecord Placeholder = new("-", OrchestratorRoles.Viewer, null, DateTimeOffset.UnixEpoch, Disabled: true);
    private static readonly System.Buffers.SearchValues<char> NameChars = System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.@");

    // Verified against when the user does not exist, so an unknown name costs the same time as a wrong password.
    private static readonly Lazy<string> DummyHash = new(() => Hasher.HashPassword(Placeholder, "not a password of anyone"));

    public IUserStore Store => store;

    /// <summary>Null when the name is acceptable, else what is wrong: 1-64 letters, digits, '_', '-', '.', '@',
    /// starting with a letter or digit, and not the automatic sign-in's name.</summary>
    public static string? NameProblem(string? name, string field = "name") =>
        string.IsNullOrEmpty(name) ? $"{field} is required"
        : name.Length > 64 ? $"{field} must be at most 64 characters"
        : !char.IsAsciiLetterOrDigit(name[0]) ? $"{field} '{name}' must start with a letter or digit"
        : name.AsSpan().IndexOfAnyExcept(NameChars) >= 0
            ? $"{field} '{name}' may hold only letters, digits, '_', '-', '.' and '@'"
        // Reserved: state histories say "cleared by local-admin" for the automatic sign-in; a user must not share it.
        : string.Equals(name, SecurityOptions.DefaultAutoSignInUserName, StringComparison.OrdinalIgnoreCase)
            ? $"{field} '{name}' is reserved for the automatic sign-in on loopback"
        : null;

    public async Task<UserRecord> CreateUserAsync(string? name, string? role, string? password, CancellationToken cancellationToken)
    {
        if (NameProblem(name) is { } nameProblem)
        {
            throw ApplicationProblemException.Invalid(nameProblem, "name");
        }

        if (!OrchestratorRoles.IsValid(role))
        {
            throw ApplicationProblemException.Invalid($"role must be one of {string.Join(", ", OrchestratorRoles.All)}, not '{role}'", "role");
        }

        if (password is null || password.Length < MinPasswordLength || password.Length > MaxPasswordLength)
        {
            throw ApplicationProblemException.Invalid($"password must be {MinPasswordLength} to {MaxPasswordLength} characters", "password");
        }

        var user = new UserRecord(name!, role!, null, time.GetUtcNow(), Disabled: false);
        user = user with { PasswordHash = Hasher.HashPassword(user, password) };
        if (!await store.AddAsync(user, cancellationToken))
        {
            throw ApplicationProblemException.Conflict($"user '{name}' already exists");
        }

        return user;
    }

    /// <summary>The user when the password is theirs and they are enabled; null otherwise, taking about the same
    /// time whether the user exists or not.</summary>
    public async Task<UserRecord?> VerifyPasswordAsync(string? name, string? password, CancellationToken cancellationToken)
    {
        var user = string.IsNullOrEmpty(name) || NameProblem(name) is not null ? null : await store.GetAsync(name, cancellationToken);
        var hash = user?.PasswordHash ?? DummyHash.Value;
        var result = Hasher.VerifyHashedPassword(user ?? Placeholder, hash, password ?? "");
        if (user?.PasswordHash is null || user.Disabled || result == PasswordVerificationResult.Failed)
        {
            return null;
        }

        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await store.SetPasswordHashAsync(user.Name, Hasher.HashPassword(user, password!), cancellationToken);
        }

        return user;
    }

    public async Task DeleteUserAsync(string name, CancellationToken cancellationToken)
    {
        if (!await store.DeleteAsync(name, cancellationToken))
        {
            throw ApplicationProblemException.NotFound($"no user '{name}'");
        }
    }

    /// <summary>A new token for <paramref name="owner"/>: the record (stored) and the token itself (shown once).</summary>
    public async Task<(ApiTokenRecord Record, string Token)> CreateTokenAsync(string owner, string? tokenName, TimeSpan? lifetime, CancellationToken cancellationToken)
    {
        tokenName = string.IsNullOrWhiteSpace(tokenName) ? "token" : tokenName.Trim();
        if (tokenName.Length > 100)
        {
            throw ApplicationProblemException.Invalid("token name must be at most 100 characters", "name");
        }

        if (lifetime is { } span && span <= TimeSpan.Zero)
        {
            throw ApplicationProblemException.Invalid("the token's lifetime must be positive", "expiresInDays");
        }

        var token = ApiTokens.Generate();
        var now = time.GetUtcNow();
        var record = new ApiTokenRecord(ApiTokens.NewId(), owner, tokenName, ApiTokens.Hash(token), now, null, now + lifetime, null);
        if (!await store.AddTokenAsync(record, cancellationToken))
        {
            throw ApplicationProblemException.NotFound($"no user '{owner}' to own the token (create it with `orchestrator users create`)");
        }

        return (record, token);
    }

    public async Task RevokeTokenAsync(string id, CancellationToken cancellationToken)
    {
        if (!await store.RevokeTokenAsync(id, time.GetUtcNow(), cancellationToken))
        {
            throw ApplicationProblemException.NotFound($"no usable token '{id}' (unknown or already revoked)");
        }
    }

    /// <summary>The owner and token record when <paramref name="token"/> is usable now and its owner enabled.</summary>
    public async Task<(UserRecord User, ApiTokenRecord Token)?> AuthenticateTokenAsync(string token, CancellationToken cancellationToken)
    {
        if (!ApiTokens.LooksLikeToken(token)
            || await store.FindTokenByHashAsync(ApiTokens.Hash(token), cancellationToken) is not { } record
            || !record.IsUsableAt(time.GetUtcNow())
            || await store.GetAsync(record.Owner, cancellationToken) is not { Disabled: false } user)
        {
            return null;
        }

        return (user, record);
    }
}
