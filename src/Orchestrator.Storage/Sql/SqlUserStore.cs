using Dapper;
using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Sql;

internal sealed class SqlUserStore(SqlSession session) : IUserStore
{
    private const string UserColumns = "name, role, password_hash, created_at, disabled";
    private const string TokenColumns = "id, owner, name, token_hash, created_at, last_used_at, expires_at, revoked_at";

    public async Task<bool> AddAsync(UserRecord user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var added = false;
        await session.WriteAsync(async (connection, transaction) => added = await connection.ExecuteAsync(SqlSession.Command("""
            INSERT INTO users (name, role, password_hash, created_at, disabled) VALUES (@name, @role, @hash, @at, @disabled)
            ON CONFLICT (name) DO NOTHING
            """, new { name = user.Name, role = user.Role, hash = user.PasswordHash, at = Ms.Of(user.CreatedAt), disabled = user.Disabled ? 1L : 0L },
            transaction, cancellationToken)) == 1, cancellationToken);
        return added;
    }

    public Task<UserRecord?> GetAsync(string name, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<UserRow>(SqlSession.Command(
            $"SELECT {UserColumns} FROM users WHERE name = @name", new { name }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<UserRecord>>(async connection => [.. (await connection.QueryAsync<UserRow>(SqlSession.Command(
            $"SELECT {UserColumns} FROM users ORDER BY name", null, null, cancellationToken))).Select(row => row.ToRecord())], cancellationToken);

    public Task<bool> AnyAsync(CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => await connection.ExecuteScalarAsync<long?>(SqlSession.Command(
            "SELECT 1 FROM users LIMIT 1", null, null, cancellationToken)) is not null, cancellationToken);

    public async Task<bool> SetPasswordHashAsync(string name, string passwordHash, CancellationToken cancellationToken)
    {
        var changed = false;
        await session.WriteAsync(async (connection, transaction) => changed = await connection.ExecuteAsync(SqlSession.Command(
            "UPDATE users SET password_hash = @passwordHash WHERE name = @name", new { name, passwordHash }, transaction, cancellationToken)) == 1, cancellationToken);
        return changed;
    }

    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var deleted = false;
        await session.WriteAsync(async (connection, transaction) =>
        {
            // Tokens explicitly, not only by the foreign key's cascade: SQLite enforces foreign keys only when asked.
            await connection.ExecuteAsync(SqlSession.Command("DELETE FROM api_tokens WHERE owner = @name", new { name }, transaction, cancellationToken));
            deleted = await connection.ExecuteAsync(SqlSession.Command("DELETE FROM users WHERE name = @name", new { name }, transaction, cancellationToken)) == 1;
        }, cancellationToken);
        return deleted;
    }

    public async Task<bool> AddTokenAsync(ApiTokenRecord token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(token);
        var added = false;
        await session.WriteAsync(async (connection, transaction) => added = await connection.ExecuteAsync(SqlSession.Command($"""
            INSERT INTO api_tokens ({TokenColumns})
            SELECT @id, @owner, @name, @hash, @createdAt, @lastUsedAt, @expiresAt, @revokedAt
            WHERE EXISTS (SELECT 1 FROM users WHERE name = @owner)
            ON CONFLICT DO NOTHING
            """, new
        {
            id = token.Id, owner = token.Owner, name = token.Name, hash = token.TokenHash, createdAt = Ms.Of(token.CreatedAt),
            lastUsedAt = Ms.Of(token.LastUsedAt), expiresAt = Ms.Of(token.ExpiresAt), revokedAt = Ms.Of(token.RevokedAt),
        }, transaction, cancellationToken)) == 1, cancellationToken);
        return added;
    }

    public Task<ApiTokenRecord?> FindTokenByHashAsync(string tokenHash, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<TokenRow>(SqlSession.Command(
            $"SELECT {TokenColumns} FROM api_tokens WHERE token_hash = @tokenHash", new { tokenHash }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<ApiTokenRecord?> GetTokenAsync(string id, CancellationToken cancellationToken) =>
        session.ReadAsync(async connection => (await connection.QuerySingleOrDefaultAsync<TokenRow>(SqlSession.Command(
            $"SELECT {TokenColumns} FROM api_tokens WHERE id = @id", new { id }, null, cancellationToken)))?.ToRecord(), cancellationToken);

    public Task<IReadOnlyList<ApiTokenRecord>> ListTokensAsync(string? owner, CancellationToken cancellationToken) =>
        session.ReadAsync<IReadOnlyList<ApiTokenRecord>>(async connection => [.. (await connection.QueryAsync<TokenRow>(SqlSession.Command(
            $"SELECT {TokenColumns} FROM api_tokens WHERE @owner IS NULL OR owner = @owner ORDER BY created_at, id", new { owner }, null, cancellationToken)))
            .Select(row => row.ToRecord())], cancellationToken);

    public async Task<bool> RevokeTokenAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var revoked = false;
        await session.WriteAsync(async (connection, transaction) => revoked = await connection.ExecuteAsync(SqlSession.Command(
            "UPDATE api_tokens SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL", new { id, at = Ms.Of(at) }, transaction, cancellationToken)) == 1,
            cancellationToken);
        return revoked;
    }

    public Task TouchTokenAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) =>
        session.WriteAsync(async (connection, transaction) => await connection.ExecuteAsync(SqlSession.Command(
            // Never moves backwards: two requests may record their use out of order.
            "UPDATE api_tokens SET last_used_at = @at WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @at)",
            new { id, at = Ms.Of(at) }, transaction, cancellationToken)), cancellationToken);
}

internal sealed class UserRow
{
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public string? PasswordHash { get; set; }
    public long CreatedAt { get; set; }
    public long Disabled { get; set; }

    public UserRecord ToRecord() => new(Name, Role, PasswordHash, Ms.At(CreatedAt), Disabled != 0);
}

internal sealed class TokenRow
{
    public string Id { get; set; } = "";
    public string Owner { get; set; } = "";
    public string Name { get; set; } = "";
    public string TokenHash { get; set; } = "";
    public long CreatedAt { get; set; }
    public long? LastUsedAt { get; set; }
    public long? ExpiresAt { get; set; }
    public long? RevokedAt { get; set; }

    public ApiTokenRecord ToRecord() => new(Id, Owner, Name, TokenHash, Ms.At(CreatedAt), Ms.At(LastUsedAt), Ms.At(ExpiresAt), Ms.At(RevokedAt));
}
