using System.Text.Json;
using Orchestrator.Cli.Hosting;
using Orchestrator.Storage.Records;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>models drift NAME</c> on a home whose drift checks were recorded through the store, as ml.drift records them.</summary>
public sealed class ModelsDriftCommandTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 6, 0, 0, TimeSpan.Zero);

    private readonly string _home = Directory.CreateTempSubdirectory("orchestrator-models-drift-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task Drift_ListsTheModelsChecks_NewestFirst_AsJsonAndTable()
    {
        await SeedAsync();

        var (exit, json, _) = await RunAsync("models", "drift", "fare", "--output", "json");
        Assert.Equal(0, exit);
        using var checks = JsonDocument.Parse(json);
        var items = checks.RootElement.EnumerateArray().ToList();
        Assert.Equal(["run-2", "run-1", "run-0"], items.Select(c => c.GetProperty("runId").GetString()));
        Assert.Equal((true, 0.5, "data", 1), (items[0].GetProperty("drifted").GetBoolean(), items[0].GetProperty("share").GetDouble(),
            items[0].GetProperty("kind").GetString(), items[0].GetProperty("version").GetInt32()));
        Assert.Equal(["pickup", "city"], items[0].GetProperty("driftedFeatures").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal((1000L, 202L), (items[0].GetProperty("referenceRows").GetInt64(), items[0].GetProperty("currentRows").GetInt64()));

        var (_, limited, _) = await RunAsync("models", "drift", "fare", "--limit", "1", "-o", "json");
        using var one = JsonDocument.Parse(limited);
        Assert.Equal("run-2", Assert.Single(one.RootElement.EnumerateArray()).GetProperty("runId").GetString());

        var (_, table, _) = await RunAsync("models", "drift", "fare");
        Assert.Contains("fare: 3 of 3 drift check(s)", table, StringComparison.Ordinal);
        Assert.Contains("pickup, city", table, StringComparison.Ordinal);
        Assert.Contains("monitor/run-2/drift", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drift_OfAModelWithoutChecks_IsEmpty()
    {
        await SeedAsync();

        var (exit, json, _) = await RunAsync("models", "drift", "churn", "--output", "json");

        Assert.Equal((0, "[]"), (exit, json.Trim()));
    }

    [Theory]
    [InlineData(new[] { "models", "drift", "nope" }, 1, "no model 'nope' (see `models list`)")]
    [InlineData(new[] { "models", "drift", "../fare" }, 2, "model name '../fare' must start with a letter or digit")]
    [InlineData(new[] { "models", "drift", "fare", "--limit", "0" }, 2, "--limit must be between 1 and 500, not 0")]
    [InlineData(new[] { "models", "drift", "fare", "--limit", "501" }, 2, "--limit must be between 1 and 500, not 501")]
    public async Task BadArguments_OrUnknownModel_ExitNonZero_SayingWhat(string[] args, int exitCode, string message)
    {
        await SeedAsync();

        var (exit, output, error) = await RunAsync(args);

        Assert.Equal((exitCode, ""), (exit, output));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    private async Task SeedAsync()
    {
        await using var store = await MetadataStores.OpenAsync(null, _home, default);
        foreach (var model in new[] { "fare", "churn" })
        {
            await store.Models.RegisterVersionAsync(new NewModelVersion(model, new string('a', 64), "{}", null, null, "{}", "{}", new RunLineage(null, null, null, null)), T0, default);
        }

        for (var i = 0; i < 3; i++)
        {
            await store.DriftChecks.RecordAsync(new NewDriftCheck(DriftCheckKinds.Data, "fare", 1, T0.AddHours(i), new RunLineage("monitor", $"run-{i}", "drift", 1),
                i == 2, i == 2 ? 0.5 : 0, 0.5, i == 2 ? ["pickup", "city"] : [], 1000, 200 + i, new string('b', 64)), default);
        }
    }

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--home", _home]);
}
