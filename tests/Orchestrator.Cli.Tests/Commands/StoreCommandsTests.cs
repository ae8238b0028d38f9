using System.Text.Json;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary>The commands that work on the home's metadata store (SQLite here), as a user chains them.</summary>
public sealed class StoreCommandsTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("orchestrator-home-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task TestRun_IsRecorded_WithItsTriesAndLogs()
    {
        var (exit, _, error) = await RunAsync("dags", "test", "example_shell_pipeline", "--dags", CliRunner.RepoDags);
        Assert.Equal(0, exit);
        Assert.Contains("recorded as run test__", error, StringComparison.Ordinal);

        var (_, list, _) = await RunAsync("runs", "list", "--output", "json");
        using var runs = JsonDocument.Parse(list);
        var run = Assert.Single(runs.RootElement.EnumerateArray());
        Assert.Equal(("example_shell_pipeline", "success", "test"),
            (run.GetProperty("dagId").GetString(), run.GetProperty("state").GetString(), run.GetProperty("runType").GetString()));
        var runId = run.GetProperty("runId").GetString()!;

        var (logsExit, lastTry, _) = await RunAsync("tasks", "logs", runId, "extract");
        var (_, firstTry, _) = await RunAsync("tasks", "logs", runId, "extract", "--try", "1");
        Assert.Equal(0, logsExit);
        Assert.Contains("[stdout] {\"rows\": 42, \"table\": \"orders\"}", lastTry, StringComparison.Ordinal);
        Assert.Contains("[stderr] source orders not ready yet", firstTry, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trigger_CreatesAQueuedManualRun_WithItsConf()
    {
        var (exit, output, _) = await RunAsync("dags", "trigger", "taxi_fare_profile", "--dags", CliRunner.RepoDags, "--conf", """{"minRows": 5}""");

        Assert.Equal(0, exit);
        var runId = output.Trim();
        Assert.StartsWith("manual__", runId, StringComparison.Ordinal);
        var (_, list, _) = await RunAsync("runs", "list", "--dag", "taxi_fare_profile", "--output", "json");
        using var runs = JsonDocument.Parse(list);
        var run = Assert.Single(runs.RootElement.EnumerateArray());
        Assert.Equal((runId, "queued"), (run.GetProperty("runId").GetString(), run.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Pause_ShowsInDagsList_AndUnpauseUndoesIt()
    {
        Assert.Equal(0, (await RunAsync("dags", "pause", "taxi_fare_profile", "--dags", CliRunner.RepoDags)).ExitCode);
        Assert.True(await IsPausedAsync("taxi_fare_profile"));
        Assert.False(await IsPausedAsync("example_shell_pipeline"));

        Assert.Equal(0, (await RunAsync("dags", "unpause", "taxi_fare_profile", "--dags", CliRunner.RepoDags)).ExitCode);
        Assert.False(await IsPausedAsync("taxi_fare_profile"));
    }

    [Theory]
    [InlineData("no_such_run", "extract", "error: no run 'no_such_run' (see `runs list`)")]
    [InlineData("no_such_run", "bad id!", "error: task id 'bad id!' may contain only letters, digits, '_', '-' and '.'")]
    public async Task Logs_OfSomethingUnknown_SayWhat(string run, string task, string message)
    {
        var (exit, _, error) = await RunAsync("tasks", "logs", run, task);

        Assert.Equal(2, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Storage_CanBeGivenExplicitly()
    {
        var file = Path.Combine(_home, "elsewhere.db");

        await CliRunner.RunAsync("dags", "trigger", "taxi_fare_profile", "--dags", CliRunner.RepoDags, "--storage", $"sqlite:{file}");

        Assert.True(File.Exists(file));
        var (_, list, _) = await CliRunner.RunAsync("runs", "list", "--storage", $"sqlite:{file}", "--output", "json");
        Assert.Single(JsonDocument.Parse(list).RootElement.EnumerateArray());
    }

    private async Task<bool> IsPausedAsync(string dagId)
    {
        var (_, output, _) = await RunAsync("dags", "list", "--dags", CliRunner.RepoDags, "--output", "json");
        using var list = JsonDocument.Parse(output);
        return list.RootElement.GetProperty("dags").EnumerateArray().Single(d => d.GetProperty("dagId").GetString() == dagId).GetProperty("paused").GetBoolean();
    }

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--home", _home]);
}
