using System.Text.Json;
using Orchestrator.Cli.Hosting;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>models …</c> on a home whose registry was filled through the store interfaces, as ml.register and
/// ml.deploy fill it.</summary>
public sealed class ModelsCommandTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 6, 0, 0, TimeSpan.Zero);
    private static readonly string Artifact = new('a', 64);
    private static readonly string Dataset = new('d', 64);

    private readonly string _home = Directory.CreateTempSubdirectory("orchestrator-models-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task List_ShowsEachModel_WithItsLatestVersionAndAliases()
    {
        await SeedAsync();

        var (exit, json, _) = await RunAsync("models", "list", "--output", "json");
        Assert.Equal(0, exit);
        using var models = JsonDocument.Parse(json);
        var fare = Assert.Single(models.RootElement.EnumerateArray(), m => m.GetProperty("name").GetString() == "fare");
        Assert.Equal((2, 2), (fare.GetProperty("latestVersion").GetInt32(), fare.GetProperty("aliases").GetProperty("production").GetInt32()));
        Assert.Equal("taxi fares", fare.GetProperty("description").GetString());
        Assert.Equal(["churn", "fare"], models.RootElement.EnumerateArray().Select(m => m.GetProperty("name").GetString()));

        var (_, table, _) = await RunAsync("models", "list");
        Assert.Contains("2 model(s)", table, StringComparison.Ordinal);
        Assert.Contains("production→2", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Versions_ShowTheLineage_NewestFirst()
    {
        await SeedAsync();

        var (exit, json, _) = await RunAsync("models", "versions", "fare", "-o", "json");
        Assert.Equal(0, exit);
        using var versions = JsonDocument.Parse(json);
        Assert.Equal([2, 1], versions.RootElement.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));
        var latest = versions.RootElement[0];
        Assert.Equal(["production"], latest.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(0.91, latest.GetProperty("metrics").GetProperty("r2").GetDouble());
        Assert.Equal("fastTree", latest.GetProperty("params").GetProperty("trainer").GetString());
        Assert.Equal((Artifact, Dataset), (latest.GetProperty("artifactDigest").GetString(), latest.GetProperty("datasetDigest").GetString()));
        var by = latest.GetProperty("createdBy");
        Assert.Equal(("retrain", "r2", "register", 1), (by.GetProperty("dagId").GetString(), by.GetProperty("runId").GetString(), by.GetProperty("taskId").GetString(), by.GetProperty("tryNumber").GetInt32()));

        var (_, table, _) = await RunAsync("models", "versions", "fare");
        Assert.Contains("retrain/r2/register#1", table, StringComparison.Ordinal);
        Assert.Contains("r2=0.91", table, StringComparison.Ordinal);
        Assert.Contains(Artifact[..12], table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_MovesProductionBack_AndTheHistoryShowsBothMoves()
    {
        await SeedAsync(); // production was deployed to version 2 by the DAG

        var (exit, output, error) = await RunAsync("models", "alias", "set", "fare", "production", "1", "--reason", "v2 underpredicts airport trips");
        Assert.Equal((0, ""), (exit, error));
        Assert.Contains("fare@production: version 2 → version 1", output, StringComparison.Ordinal);

        var (_, json, _) = await RunAsync("models", "alias", "history", "fare", "--alias", "production", "--output", "json");
        using var history = JsonDocument.Parse(json);
        var moves = history.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, moves.Count);
        Assert.Equal((2, 1, $"user:{Environment.UserName}", "v2 underpredicts airport trips"),
            (moves[0].GetProperty("fromVersion").GetInt32(), moves[0].GetProperty("toVersion").GetInt32(), moves[0].GetProperty("movedBy").GetString(), moves[0].GetProperty("reason").GetString()));
        Assert.Equal((JsonValueKind.Null, 2, "dag:r2/deploy#1"),
            (moves[1].GetProperty("fromVersion").ValueKind, moves[1].GetProperty("toVersion").GetInt32(), moves[1].GetProperty("movedBy").GetString()));

        await using (var store = await OpenStoreAsync())
        {
            Assert.Equal(1, (await store.Models.GetByAliasAsync("fare", "production", default))!.Version);
        }

        var (_, table, _) = await RunAsync("models", "alias", "history", "fare");
        Assert.Contains("3 alias move(s)", table, StringComparison.Ordinal); // with champion's
        Assert.Contains("v2 underpredicts airport trips", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AliasSet_RefusesAReasonWithTerminalEscapes_AndMovesNothing()
    {
        await SeedAsync();

        var (exit, _, error) = await RunAsync("models", "alias", "set", "fare", "production", "1", "--reason", "fine\u001b[31mRED");

        Assert.Equal(2, exit);
        Assert.Contains("--reason must be printable text", error, StringComparison.Ordinal);
        await using var store = await OpenStoreAsync();
        Assert.Equal(2, (await store.Models.GetByAliasAsync("fare", "production", default))!.Version);
    }

    [Fact]
    public async Task AliasSet_ToTheVersionItAlreadyHas_RecordsNothing()
    {
        await SeedAsync();

        var (exit, json, _) = await RunAsync("models", "alias", "set", "fare", "production", "2", "--output", "json");

        Assert.Equal(0, exit);
        using var result = JsonDocument.Parse(json);
        Assert.False(result.RootElement.GetProperty("moved").GetBoolean());
        await using var store = await OpenStoreAsync();
        Assert.Single(await store.Models.AliasHistoryAsync("fare", "production", default));
    }

    [Theory]
    [InlineData(new[] { "models", "alias", "set", "nope", "production", "1" }, "error: no model 'nope' (see `models list`); nothing changed")]
    [InlineData(new[] { "models", "alias", "set", "fare", "production", "9" }, "error: model 'fare' has no version 9 (see `models versions fare`); nothing changed")]
    [InlineData(new[] { "models", "versions", "nope" }, "error: no model 'nope' (see `models list`)")]
    [InlineData(new[] { "models", "alias", "history", "nope" }, "error: no model 'nope' (see `models list`)")]
    public async Task UnknownModelOrVersion_Exits1_AndChangesNothing(string[] args, string message)
    {
        await SeedAsync();

        var (exit, output, error) = await RunAsync(args);

        Assert.Equal((1, ""), (exit, output));
        Assert.Equal(message, error.Trim());
        await using var store = await OpenStoreAsync();
        Assert.Equal(2, (await store.Models.GetByAliasAsync("fare", "production", default))!.Version);
        Assert.Equal(2, (await store.Models.AliasHistoryAsync("fare", null, default)).Count);
    }

    [Theory]
    [InlineData(new[] { "models", "alias", "set", "fare", "production", "two" }, "version 'two' is not a version number")]
    [InlineData(new[] { "models", "alias", "set", "fare", "production", "0" }, "version '0' is not a version number")]
    [InlineData(new[] { "models", "alias", "set", "fare", "v2", "1" }, "alias 'v2' is reserved")]
    [InlineData(new[] { "models", "alias", "set", "fare", "prod uction", "1" }, "alias 'prod uction' may hold only letters, digits")]
    [InlineData(new[] { "models", "versions", "../fare" }, "model name '../fare' must start with a letter or digit")]
    [InlineData(new[] { "models", "alias", "history", "fare", "--alias", "a/b" }, "alias 'a/b' may hold only")]
    public async Task BadArguments_Exit2_AndSayWhat(string[] args, string message)
    {
        await SeedAsync();

        var (exit, _, error) = await RunAsync(args);

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        await using var store = await OpenStoreAsync();
        Assert.Equal(2, (await store.Models.AliasHistoryAsync("fare", null, default)).Count);
    }

    [Fact]
    public async Task EmptyRegistry_ListsNothing()
    {
        var (exit, json, _) = await RunAsync("models", "list", "--output", "json");

        Assert.Equal((0, "[]"), (exit, json.Trim()));
    }

    /// <summary>Two versions of "fare" registered by two DAG runs, production deployed to 2 by the second run's
    /// deploy task, champion set by a user; one version of "churn".</summary>
    private async Task SeedAsync()
    {
        await using var store = await OpenStoreAsync();
        foreach (var (run, r2) in new[] { ("r1", 0.85), ("r2", 0.91) })
        {
            await store.Models.RegisterVersionAsync(new NewModelVersion(
                "fare", Artifact, """{"inputs":[]}""", Dataset, null, """{"trainer":"fastTree"}""", $$"""{"r2":{{r2}},"rmse":2.5}""",
                new RunLineage("retrain", run, "register", 1)), T0, default);
        }

        await store.Models.UpdateModelAsync("fare", "taxi fares", null, T0, default);
        await store.Models.SetAliasAsync("fare", "production", 2, "dag:r2/deploy#1", "blessed", T0, default);
        await store.Models.SetAliasAsync("fare", "champion", 1, "user:carol", null, T0, default);
        await store.Models.RegisterVersionAsync(new NewModelVersion("churn", Artifact, "{}", null, null, "{}", "{}", new RunLineage(null, null, null, null)), T0, default);
    }

    private Task<Storage.Sql.SqlMetadataStore> OpenStoreAsync() => MetadataStores.OpenAsync(null, _home, default);

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--home", _home]);
}
