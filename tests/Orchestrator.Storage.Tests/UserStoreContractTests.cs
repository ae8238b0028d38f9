using Orchestrator.Storage.Records;

namespace Orchestrator.Storage.Tests;

/// <summary>What the users and API tokens store must do on every backend.</summary>
public abstract class UserStoreContractTests : MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 3, 0, 0, TimeSpan.Zero);

    private IUserStore Users => Store.Users;

    private static ApiTokenRecord Token(string id, string owner, string hash, DateTimeOffset? expires = null) =>
        new(id, owner, $"{id} name", hash, T0, null, expires, null);

    [Fact]
    public async Task Migration6_IsApplied()
    {
        Assert.Contains(6, await Store.AppliedMigrationsAsync(default));
    }

    [Fact]
    public async Task Users_AreAddedOnce_ReadListedAndDeleted()
    {
        Assert.False(await Users.AnyAsync(default));
        var bob = new UserRecord("bob", "viewer", "HASH-B", T0, Disabled: false);
        var alice = new UserRecord("alice", "admin", null, T0.AddMinutes(1), Disabled: true);
        Assert.True(await Users.AddAsync(bob, default));
        Assert.True(await Users.AddAsync(alice, default));
        Assert.True(await Users.AnyAsync(default));

        Assert.False(await Users.AddAsync(bob with { Role = "admin" }, default));

        Assert.Equal(bob, await Users.GetAsync("bob", default));
        Assert.Equal([alice, bob], await Users.ListAsync(default));
        Assert.Null(await Users.GetAsync("carol", default));

        Assert.True(await Users.SetPasswordHashAsync("bob", "HASH-B2", default));
        Assert.False(await Users.SetPasswordHashAsync("carol", "HASH", default));
        Assert.Equal("HASH-B2", (await Users.GetAsync("bob", default))!.PasswordHash);

        Assert.True(await Users.DeleteAsync("bob", default));
        Assert.False(await Users.DeleteAsync("bob", default));
        Assert.Equal([alice], await Users.ListAsync(default));
    }

    [Fact]
    public async Task Tokens_AreFoundByHash_RevokedOnce_AndTouchedForwardOnly()
    {
        await Users.AddAsync(new UserRecord("bob", "operator", "H", T0, false), default);
        var token = Token("t1", "bob", "aa11");
        Assert.True(await Users.AddTokenAsync(token, default));
        Assert.False(await Users.AddTokenAsync(token with { TokenHash = "bb22" }, default)); // id taken
        Assert.False(await Users.AddTokenAsync(Token("t2", "nobody", "cc33"), default)); // no such owner

        Assert.Equal(token, await Users.FindTokenByHashAsync("aa11", default));
        Assert.Null(await Users.FindTokenByHashAsync("bb22", default));
        Assert.Null(await Users.FindTokenByHashAsync("cc33", default));

        await Users.TouchTokenAsync("t1", T0.AddMinutes(5), default);
        await Users.TouchTokenAsync("t1", T0.AddMinutes(2), default);
        Assert.Equal(T0.AddMinutes(5), (await Users.GetTokenAsync("t1", default))!.LastUsedAt);

        Assert.True(await Users.RevokeTokenAsync("t1", T0.AddMinutes(6), default));
        Assert.False(await Users.RevokeTokenAsync("t1", T0.AddMinutes(7), default));
        Assert.False(await Users.RevokeTokenAsync("missing", T0, default));
        var revoked = (await Users.FindTokenByHashAsync("aa11", default))!;
        Assert.Equal(T0.AddMinutes(6), revoked.RevokedAt);
        Assert.False(revoked.IsUsableAt(T0.AddMinutes(6)));
    }

    [Fact]
    public async Task Tokens_AreListedByOwner_AndDeletedWithTheirUser()
    {
        await Users.AddAsync(new UserRecord("bob", "operator", "H", T0, false), default);
        await Users.AddAsync(new UserRecord("carol", "viewer", "H", T0, false), default);
        var expiring = Token("t1", "bob", "h1", T0.AddDays(1));
        await Users.AddTokenAsync(expiring, default);
        await Users.AddTokenAsync(Token("t2", "carol", "h2"), default);
        await Users.AddTokenAsync(Token("t3", "bob", "h3"), default);

        Assert.Equal(["t1", "t3"], (await Users.ListTokensAsync("bob", default)).Select(t => t.Id));
        Assert.Equal(["t1", "t2", "t3"], (await Users.ListTokensAsync(null, default)).Select(t => t.Id));
        Assert.Equal(T0.AddDays(1), (await Users.GetTokenAsync("t1", default))!.ExpiresAt);
        Assert.True(expiring.IsUsableAt(T0.AddHours(23)));
        Assert.False(expiring.IsUsableAt(T0.AddDays(1)));

        await Users.DeleteAsync("bob", default);

        Assert.Null(await Users.FindTokenByHashAsync("h1", default));
        Assert.Equal(["t2"], (await Users.ListTokensAsync(null, default)).Select(t => t.Id));

        // A user re-created with the same name does not inherit the old tokens.
        await Users.AddAsync(new UserRecord("bob", "admin", "H", T0, false), default);
        Assert.Empty(await Users.ListTokensAsync("bob", default));
    }
}

public sealed class SqliteUserStoreContractTests : UserStoreContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-user-store-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}

public sealed class PostgresUserStoreContractTests : UserStoreContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override Task DropAsync() => _backend.DropAsync();
}
