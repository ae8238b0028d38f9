using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Secrets;
using Orchestrator.Secrets.Encryption;
using Orchestrator.Secrets.Keys;
using Orchestrator.Secrets.Masking;
using Orchestrator.Secrets.Services;
using Orchestrator.Secrets.Values;
using Orchestrator.Storage;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Secrets.Tests;

/// <summary>The values a try's templates read, over a real SQLite store.</summary>
public sealed class SecretValuesLoaderTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-secret-values-").FullName;
    private readonly SecretCipher _cipher = new(SecretKey.Generate("test"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private SqlMetadataStore _store = null!;

    public async Task InitializeAsync() =>
        _store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), _time, default);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task EveryValueHandedOut_IsToldToTheMasker_AndOnlyThose()
    {
        await new VariableService(_store.Variables, _cipher, _time).SetAsync("bucket_token", "tok-123456", default);
        await new VariableService(_store.Variables, _cipher, _time).SetAsync("unused", "never-read", default);
        await new ConnectionService(_store.Connections, _cipher, _time).AddAsync("warehouse",
            new ConnectionValues("postgres", "db.local", 5432, "etl", "pg-pass-99", "dw", new Dictionary<string, string> { ["sslmode"] = "require", ["client_secret"] = "cs-77777" }), default);
        var masker = new SecretMasker();

        var values = await SecretValuesLoader.LoadAsync(_store, _cipher, masker, default);
        Assert.Equal("never-read never-read", masker.Mask("never-read never-read")); // nothing handed out yet

        Assert.Equal("tok-123456", values.GetVariable("bucket_token"));
        var warehouse = values.GetConnection("warehouse")!;
        Assert.Equal(("postgres", "db.local", 5432, "etl", "pg-pass-99", "dw"), (warehouse.Type, warehouse.Host, warehouse.Port, warehouse.Login, warehouse.Password, warehouse.Schema));
        Assert.Null(values.GetVariable("missing"));
        Assert.Null(values.GetConnection("missing"));

        Assert.Equal("*** *** *** db.local etl require never-read", masker.Mask("tok-123456 pg-pass-99 cs-77777 db.local etl require never-read"));
    }

    [Fact]
    public async Task AValueSealedWithAnotherKey_FailsOnlyWhenItIsRead_NamingIt()
    {
        await new VariableService(_store.Variables, new SecretCipher(SecretKey.Generate("old")), _time).SetAsync("old_one", "value", default);
        await new VariableService(_store.Variables, _cipher, _time).SetAsync("new_one", "fresh", default);

        var values = await SecretValuesLoader.LoadAsync(_store, _cipher, new SecretMasker(), default);

        Assert.Equal("fresh", values.GetVariable("new_one"));
        var error = Assert.Throws<SecretDecryptionException>(() => values.GetVariable("old_one"));
        Assert.StartsWith("cannot decrypt variable old_one: the key differs from the one it was written with", error.Message, StringComparison.Ordinal);
    }
}
