using System.Text.Json;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>dags trigger</c>'s exit codes: 0 and the run id on success; non-zero, a message that says what is
/// wrong, and no run in the store for an unknown DAG or a conf that is not a JSON object.</summary>
public sealed class DagsTriggerCommandTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("orchestrator-trigger-home-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task Success_PrintsOnlyTheRunId_AndExitsZero()
    {
        var (exit, output, error) = await RunAsync("dags", "trigger", "example_shell_pipeline", "--dags", CliRunner.RepoDags);

        Assert.Equal(0, exit);
        Assert.Equal("", error);
        var runId = output.TrimEnd('\n', '\r');
        Assert.Matches(@"^manual__\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00__example_shell_pipeline$", runId);
        Assert.Equal([runId], await RunIdsAsync());
    }

    [Fact]
    public async Task TwoTriggersInARow_GiveTwoRuns()
    {
        var first = await RunAsync("dags", "trigger", "example_shell_pipeline", "--dags", CliRunner.RepoDags);
        var second = await RunAsync("dags", "trigger", "example_shell_pipeline", "--dags", CliRunner.RepoDags);

        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.NotEqual(first.Output, second.Output);
        Assert.Equal(2, (await RunIdsAsync()).Count);
    }

    [Theory]
    [InlineData(new[] { "no_such_dag" }, "error: no DAG 'no_such_dag' in ")]
    [InlineData(new[] { "example_shel_pipeline" }, "did you mean 'example_shell_pipeline'?")]
    [InlineData(new[] { "example_shell_pipeline", "--conf", "{\"a\": " }, "error: --conf is not valid JSON (line 1, position 7); expected a JSON object such as")]
    [InlineData(new[] { "example_shell_pipeline", "--conf", "{'a': 1}" }, "error: --conf is not valid JSON (line 1, position 2)")]
    [InlineData(new[] { "example_shell_pipeline", "--conf", "[1, 2]" }, "error: --conf is an array, not a JSON object")]
    [InlineData(new[] { "example_shell_pipeline", "--conf", "\"x\"" }, "error: --conf is a string, not a JSON object")]
    [InlineData(new[] { "example_shell_pipeline", "--conf", "42" }, "error: --conf is a number, not a JSON object")]
    [InlineData(new[] { "example_shell_pipeline", "--conf", "null" }, "error: --conf is null, not a JSON object")]
    public async Task BadInput_ExitsNonZero_SaysWhy_AndCreatesNoRun(string[] args, string message)
    {
        // The store exists already (a run of another DAG), so "no run" is a fact about it, not about a missing file.
        Assert.Equal(0, (await RunAsync("dags", "trigger", "taxi_fare_profile", "--dags", CliRunner.RepoDags)).ExitCode);

        var (exit, output, error) = await RunAsync(["dags", "trigger", .. args, "--dags", CliRunner.RepoDags]);

        Assert.Equal(2, exit);
        Assert.Equal("", output);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Single(await RunIdsAsync());
    }

    private async Task<List<string>> RunIdsAsync()
    {
        var (exit, list, error) = await RunAsync("runs", "list", "--output", "json");
        Assert.True(exit == 0, error);
        using var runs = JsonDocument.Parse(list);
        return [.. runs.RootElement.EnumerateArray().Select(run => run.GetProperty("runId").GetString()!)];
    }

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--home", _home]);
}
