using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.Json;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>variables</c> and <c>connections</c> on a home of their own, the home's permissions, and conf
/// masking in <c>runs list</c>.</summary>
[UnsupportedOSPlatform("windows")]
public sealed class SecretCommandsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-secrets-cli-").FullName;

    private string Home => Path.Combine(_root, "home");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_root, recursive: true);
    }

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--home", Home]);

    [Fact]
    public async Task Variables_AreSetReadListedAndDeleted_AndListingShowsNoValue()
    {
        Assert.Equal(0, (await RunAsync("variables", "set", "db_password", "hunter2-value")).ExitCode);
        Assert.Equal(0, (await RunAsync("variables", "set", "bucket", "s3://data")).ExitCode);

        var (getExit, value, _) = await RunAsync("variables", "get", "db_password");
        var (_, list, _) = await RunAsync("variables", "list", "--output", "json");
        var (_, table, _) = await RunAsync("variables", "list");

        Assert.Equal((0, "hunter2-value"), (getExit, value.Trim()));
        using var json = JsonDocument.Parse(list);
        Assert.Equal(["bucket", "db_password"], json.RootElement.EnumerateArray().Select(v => v.GetProperty("name").GetString()));
        Assert.DoesNotContain("hunter2", list + table, StringComparison.Ordinal);
        Assert.Contains("db_password", table, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync("variables", "delete", "db_password")).ExitCode);
        var (missingExit, _, missing) = await RunAsync("variables", "get", "db_password");
        Assert.Equal((1, "error: no variable 'db_password' (see `variables list`)"), (missingExit, missing.Trim()));
        Assert.Equal(1, (await RunAsync("variables", "delete", "db_password")).ExitCode);
    }

    [Theory]
    [InlineData("error: name 'bad name' may contain only letters, digits, '_', '.' and '-'", "variables", "set", "bad name", "v")]
    [InlineData("error: name 'a/b' may contain only letters, digits, '_', '.' and '-'", "variables", "get", "a/b")]
    [InlineData("error: connection name 'x;y' may contain only letters, digits, '_', '.' and '-'", "connections", "add", "x;y", "--type", "http")]
    [InlineData("error: type 'a b' may contain only letters, digits, '_', '.' and '-'", "connections", "add", "ok", "--type", "a b")]
    [InlineData("error: --type is required (or give every field at once with --uri)", "connections", "add", "ok", "--host", "h")]
    [InlineData("error: port 70000 is outside 1-65535", "connections", "add", "ok", "--type", "http", "--port", "70000")]
    [InlineData("--port 'x' is not a number: expected a port, 1-65535", "connections", "add", "ok", "--type", "http", "--port", "x")]
    [InlineData("error: extra key 'a' is a JSON object: its value must be a string", "connections", "add", "ok", "--type", "http", "--extra", "{\"a\": {}}")]
    [InlineData("error: uri port 'x' is not a number", "connections", "add", "ok", "--uri", "pg://h:x")]
    [InlineData("error: --uri holds every field: it cannot be combined with --host", "connections", "add", "ok", "--uri", "pg://h", "--host", "h")]
    public async Task BadInput_ExitsNonZero_NamingTheField_AndStoresNothing(string message, params string[] args)
    {
        var (exit, _, error) = await RunAsync(args);

        Assert.NotEqual(0, exit);
        Assert.Equal(message, error.Trim());
        Assert.Equal("[]", (await RunAsync("variables", "list", "-o", "json")).Output.Trim());
        Assert.Equal("[]", (await RunAsync("connections", "list", "-o", "json")).Output.Trim());
    }

    [Fact]
    public async Task AConnection_IsShownWithItsPasswordMasked_UnlessRevealed()
    {
        Assert.Equal(0, (await RunAsync("connections", "add", "warehouse", "--type", "postgres", "--host", "db.local", "--port", "5432",
            "--login", "etl", "--password", "pg-pass-1", "--schema", "dw", "--extra", """{"sslmode": "require", "api_token": "tok-2"}""")).ExitCode);

        var (_, shown, _) = await RunAsync("connections", "get", "warehouse", "-o", "json");
        var (_, revealed, _) = await RunAsync("connections", "get", "warehouse", "--reveal", "-o", "json");
        var (_, table, _) = await RunAsync("connections", "get", "warehouse");
        var (_, list, _) = await RunAsync("connections", "list", "-o", "json");

        using (var json = JsonDocument.Parse(shown))
        {
            var c = json.RootElement;
            Assert.Equal(("postgres", "db.local", 5432, "etl", "***", "dw", "require", "***"), (c.GetProperty("type").GetString(), c.GetProperty("host").GetString(),
                c.GetProperty("port").GetInt32(), c.GetProperty("login").GetString(), c.GetProperty("password").GetString(), c.GetProperty("schema").GetString(),
                c.GetProperty("extra").GetProperty("sslmode").GetString(), c.GetProperty("extra").GetProperty("api_token").GetString()));
        }

        Assert.DoesNotContain("pg-pass-1", shown + table + list, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-2", shown + table + list, StringComparison.Ordinal);
        Assert.Contains("\"password\": \"pg-pass-1\"", revealed, StringComparison.Ordinal);
        Assert.Contains("\"api_token\": \"tok-2\"", revealed, StringComparison.Ordinal);
        using (var json = JsonDocument.Parse(list))
        {
            var c = Assert.Single(json.RootElement.EnumerateArray());
            Assert.Equal(("warehouse", "db.local"), (c.GetProperty("name").GetString(), c.GetProperty("host").GetString()));
            Assert.False(c.TryGetProperty("password", out _));
        }
    }

    [Fact]
    public async Task AConnectionFromAUri_IsStored_AndANameInUseIsRefused()
    {
        Assert.Equal(0, (await RunAsync("connections", "add", "api", "--uri", "https://bot:p%40ss@api.example.com:8443/v2?timeout=30")).ExitCode);

        var (exit, _, error) = await RunAsync("connections", "add", "api", "--type", "http");
        var (_, revealed, _) = await RunAsync("connections", "get", "api", "--reveal", "-o", "json");

        Assert.Equal((1, "error: connection 'api' already exists (delete it first to replace it)"), (exit, error.Trim()));
        using var json = JsonDocument.Parse(revealed);
        var c = json.RootElement;
        Assert.Equal(("https", "api.example.com", 8443, "bot", "p@ss", "v2", "30"), (c.GetProperty("type").GetString(), c.GetProperty("host").GetString(),
            c.GetProperty("port").GetInt32(), c.GetProperty("login").GetString(), c.GetProperty("password").GetString(), c.GetProperty("schema").GetString(),
            c.GetProperty("extra").GetProperty("timeout").GetString()));
        Assert.Equal(0, (await RunAsync("connections", "delete", "api")).ExitCode);
        Assert.Equal(1, (await RunAsync("connections", "get", "api")).ExitCode);
    }

    [Fact]
    public async Task AnotherKey_GivesAClearError()
    {
        await RunAsync("variables", "set", "db_password", "hunter2-value");
        await RunAsync("connections", "add", "pg", "--type", "postgres", "--password", "pg-pass");
        File.WriteAllText(Path.Combine(Home, "secret.key"), Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

        var (exit, output, error) = await RunAsync("variables", "get", "db_password");
        var (listExit, _, listError) = await RunAsync("connections", "list");

        Assert.Equal((1, ""), (exit, output));
        Assert.StartsWith("error: cannot decrypt variable db_password: the key differs from the one it was written with", error, StringComparison.Ordinal);
        Assert.Equal(1, listExit);
        Assert.StartsWith("error: cannot decrypt connection pg: the key differs", listError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheHome_Is0700_AndItsDatabaseAndKey0600_EvenWhenTheyWereWider()
    {
        Directory.CreateDirectory(Home);
        File.SetUnixFileMode(Home, (UnixFileMode)0b111_101_101);

        await RunAsync("variables", "set", "v", "value");

        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(Home));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(Home, "orchestrator.db")));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(Path.Combine(Home, "secret.key")));
    }

    [Fact]
    public async Task RunsList_ShowsConf_WithSensitiveValuesMasked()
    {
        var (_, runId, _) = await RunAsync("dags", "trigger", "taxi_fare_profile", "--dags", CliRunner.RepoDags,
            "--conf", """{"minRows": 5, "db_password": "hunter2-conf", "nested": {"api_key": "k-12345"}}""");

        var (_, list, _) = await RunAsync("runs", "list", "--output", "json");

        Assert.DoesNotContain("hunter2-conf", list, StringComparison.Ordinal);
        Assert.DoesNotContain("k-12345", list, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(list);
        var run = Assert.Single(json.RootElement.EnumerateArray());
        Assert.Equal(runId.Trim(), run.GetProperty("runId").GetString());
        Assert.Equal("""{"minRows":5,"db_password":"***","nested":{"api_key":"***"}}""", JsonSerializer.Serialize(run.GetProperty("conf")));
    }
}
