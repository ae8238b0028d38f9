using System.Text.Json;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>alerts list</c> over what a notify task recorded, through the CLI's own composition (the notify type
/// is registered for every command).</summary>
public sealed class AlertsCommandTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("orchestrator-home-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task NotifyTask_RecordsAnAlert_ThatAlertsListShows_AndFilters()
    {
        var dags = Directory.CreateDirectory(Path.Combine(_home, "dags")).FullName;
        await File.WriteAllTextAsync(Path.Combine(dags, "tell.json"), """
            {"id": "tell", "tasks": [{"id": "note", "type": "notify", "args": {"message": "retrained {{ run.dagId }}", "severity": "info"}}]}
            """);
        var (exit, _, error) = await RunAsync("dags", "test", "tell", "--dags", dags);
        Assert.True(exit == 0, error);

        var (listExit, list, _) = await RunAsync("alerts", "list", "--dag", "tell", "--output", "json");
        var (_, none, _) = await RunAsync("alerts", "list", "--state", "failed", "--output", "json");
        var (badExit, _, badError) = await RunAsync("alerts", "list", "--state", "lost");

        Assert.Equal(0, listExit);
        using var alerts = JsonDocument.Parse(list);
        var alert = Assert.Single(alerts.RootElement.EnumerateArray());
        Assert.Equal(("notify", "info", "retrained tell", "recorded", "note"), (alert.GetProperty("kind").GetString(), alert.GetProperty("severity").GetString(),
            alert.GetProperty("message").GetString(), alert.GetProperty("state").GetString(), alert.GetProperty("taskId").GetString()));
        Assert.Equal("[]", none.Trim());
        Assert.Equal(2, badExit);
        Assert.Contains("--state must be one of recorded, pending, sent, failed", badError, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) =>
        CliRunner.RunAsync([.. args, "--home", _home]);
}
