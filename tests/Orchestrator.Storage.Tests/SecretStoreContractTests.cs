using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using Orchestrator.Core.Secrets;
using Orchestrator.Secrets.Encryption;
using Orchestrator.Secrets.Keys;
using Orchestrator.Secrets.Services;
using Orchestrator.Storage.Postgres;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Storage.Tests;

/// <summary>What the Variables and Connections stores must do on every backend, through the services that seal
/// their values; and that the database itself never holds a value in clear.</summary>
public abstract class SecretStoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 3, 0, 0, TimeSpan.Zero);

    private readonly SecretCipher _cipher = new(SecretKey.Generate("test key"));
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _time = new(T0);

    protected IMetadataStore Store { get; private set; } = null!;

    private VariableService Variables => new(Store.Variables, _cipher, _time);

    private ConnectionService Connections => new(Store.Connections, _cipher, _time);

    protected abstract Task<IMetadataStore> OpenAsync();

    /// <summary>Every value of every row of the table, as text (what someone reading the database sees).</summary>
    protected abstract Task<IReadOnlyList<string>> ReadRawAsync(string table);

    protected virtual Task DropAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => Store = await OpenAsync();

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await DropAsync();
    }

    [Fact]
    public async Task Migration3_IsApplied()
    {
        Assert.Contains(3, await Store.AppliedMigrationsAsync(default));
    }

    [Fact]
    public async Task Variables_AreSetReadListedReplacedAndDeleted()
    {
        await Variables.SetAsync("b_var", "first", default);
        _time.Advance(TimeSpan.FromMinutes(1));
        await Variables.SetAsync("a_var", "", default);
        await Variables.SetAsync("b_var", "second ✓", default);

        Assert.Equal("second ✓", await Variables.GetAsync("b_var", default));
        Assert.Equal("", await Variables.GetAsync("a_var", default));
        Assert.Null(await Variables.GetAsync("missing", default));
        Assert.Equal([new VariableSummary("a_var", T0.AddMinutes(1)), new VariableSummary("b_var", T0.AddMinutes(1))], await Variables.ListAsync(default));

        Assert.True(await Variables.DeleteAsync("b_var", default));
        Assert.False(await Variables.DeleteAsync("b_var", default));
        Assert.Null(await Variables.GetAsync("b_var", default));
    }

    [Fact]
    public async Task Connections_AreAddedOnce_ReadListedAndDeleted()
    {
        var warehouse = new ConnectionValues("postgres", "db.local", 5432, "etl", "pg-pass", "dw", new Dictionary<string, string> { ["sslmode"] = "require" });
        Assert.True(await Connections.AddAsync("warehouse", warehouse, default));
        Assert.True(await Connections.AddAsync("api", new ConnectionValues("http", Host: "api.local"), default));

        Assert.False(await Connections.AddAsync("warehouse", new ConnectionValues("mysql", Password: "other"), default));

        var read = (await Connections.GetAsync("warehouse", default))!;
        Assert.Equal(("postgres", "db.local", 5432, "etl", "pg-pass", "dw"), (read.Type, read.Host, read.Port, read.Login, read.Password, read.Schema));
        Assert.Equal(warehouse.Extra, read.Extra);
        Assert.Equal([("api", "http"), ("warehouse", "postgres")], (await Connections.ListAsync(default)).Select(c => (c.Name, c.Type)));
        Assert.True(await Connections.DeleteAsync("api", default));
        Assert.False(await Connections.DeleteAsync("api", default));
        Assert.Null(await Connections.GetAsync("api", default));
    }

    [Fact]
    public async Task TheDatabase_HoldsNoValueInClear()
    {
        await Variables.SetAsync("db_password", "plain-variable-value-1", default);
        await Connections.AddAsync("warehouse", new ConnectionValues("postgres", "plain-host.example", 5432, "plain-login",
            "plain-password-2", "plain-schema", new Dictionary<string, string> { ["plain_extra"] = "plain-extra-value" }), default);

        var variableRow = string.Join('|', await ReadRawAsync("variables"));
        var connectionRow = string.Join('|', await ReadRawAsync("connections"));

        Assert.Contains("db_password", variableRow, StringComparison.Ordinal); // the row is really there
        Assert.Contains("warehouse|postgres", connectionRow, StringComparison.Ordinal);
        Assert.DoesNotContain("plain", variableRow + connectionRow, StringComparison.Ordinal);
        Assert.Equal("plain-password-2", (await Connections.GetAsync("warehouse", default))!.Password);
    }

    [Fact]
    public async Task ValuesWrittenWithAnotherKey_GiveAClearError()
    {
        await Variables.SetAsync("db_password", "value", default);

        var other = new VariableService(Store.Variables, new SecretCipher(SecretKey.Generate("another key")), _time);

        var error = await Assert.ThrowsAsync<SecretDecryptionException>(() => other.GetAsync("db_password", default));
        Assert.StartsWith("cannot decrypt variable db_password: the key differs from the one it was written with", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("")]
    [InlineData("x/y")]
    public async Task BadNames_AreRefused_AndNothingIsStored(string name)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Variables.SetAsync(name, "v", default));
        Assert.Contains("variable name", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Connections.AddAsync(name, new ConnectionValues("http"), default));
        await Assert.ThrowsAsync<ArgumentException>(() => Connections.AddAsync("ok", new ConnectionValues("http", Port: 70000), default));

        Assert.Empty(await Store.Variables.ListAsync(default));
        Assert.Empty(await Store.Connections.ListAsync(default));
    }
}

public sealed class SqliteSecretStoreContractTests : SecretStoreContractTests
{
    private readonly SqliteBackend _backend = new("orchestrator-secret-store-");

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override async Task<IReadOnlyList<string>> ReadRawAsync(string table)
    {
        await using var connection = new SqliteConnection($"Data Source={_backend.DatabaseFile}");
        await connection.OpenAsync();
        return await ReadAllAsync(connection, table);
    }

    protected override Task DropAsync() => _backend.DropAsync();

    [Fact]
    public async Task TheDatabaseFiles_HoldNoValueInClear_Anywhere()
    {
        await new VariableService(Store.Variables, new SecretCipher(SecretKey.Generate("k")), TimeProvider.System).SetAsync("marker_variable_name", "plain-variable-value-3", default);

        // The file, its WAL and shared memory, read while the store is open (the row may still be in the WAL).
        var text = Encoding.UTF8.GetString([.. Directory.GetFiles(_backend.Folder).SelectMany(File.ReadAllBytes)]);

        Assert.Contains("marker_variable_name", text, StringComparison.Ordinal);
        Assert.DoesNotContain("plain-variable-value-3", text, StringComparison.Ordinal);
    }

    internal static async Task<IReadOnlyList<string>> ReadAllAsync(System.Data.Common.DbConnection connection, string table)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table} ORDER BY name";
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                values.Add(reader.GetValue(i) is byte[] blob ? Encoding.UTF8.GetString(blob) : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) ?? "");
            }
        }

        return values;
    }
}

public sealed class PostgresSecretStoreContractTests : SecretStoreContractTests
{
    private readonly PostgresBackend _backend = new();

    protected override Task<IMetadataStore> OpenAsync() => _backend.OpenAsync();

    protected override async Task<IReadOnlyList<string>> ReadRawAsync(string table)
    {
        await using var connection = new NpgsqlConnection(PostgresBackend.ConnectionString);
        await connection.OpenAsync();
        return await SqliteSecretStoreContractTests.ReadAllAsync(connection, $"\"{_backend.Schema}\".{table}");
    }

    protected override Task DropAsync() => _backend.DropAsync();
}
