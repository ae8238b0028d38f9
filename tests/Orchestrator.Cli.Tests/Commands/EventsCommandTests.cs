using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Cli.Tests.Commands;

/// <summary><c>events list</c> and <c>runs list</c> show the link from an event to the run it triggered.</summary>
public sealed class EventsCommandTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("orchestrator-events-home-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task EventsList_ShowsTheTriggeredRun_AndRunsList_ShowsItsEvent()
    {
        Assert.Equal(0, (await RunAsync("dags", "trigger", "example_shell_pipeline", "--dags", CliRunner.RepoDags)).ExitCode); // creates the store
        long eventId;
        var runId = "";
        await using (var store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_home, "orchestrator.db")), TimeProvider.System, default))
        {
            var at = DateTimeOffset.UtcNow;
            var (drift, _) = await store.Events.EmitAsync(new NewEvent(EventKinds.Drift, "taxi_fare", """{"share": 0.7}""", "k", at) { SourceRunId = "monitor_run" }, default);
            eventId = drift.Id;
            var dag = await store.Dags.GetAsync(new DagId("example_shell_pipeline"), default);
            runId = RunId.ForEvent(dag!.DagId, drift.Id).Value;
            Assert.True(await store.Runs.CreateAsync(new DagRunRecord(new RunId(runId), dag.DagId, dag.LatestVersion, at, RunType.Event, DagRunState.Queued, drift.Payload, at)
            {
                EventId = drift.Id,
            }, [], default));
        }

        var (exit, output, error) = await RunAsync("events", "list", "--output", "json");
        Assert.True(exit == 0, error);
        using var events = JsonDocument.Parse(output);
        var listed = Assert.Single(events.RootElement.EnumerateArray());
        Assert.Equal((eventId, "drift", "taxi_fare"), (listed.GetProperty("id").GetInt64(), listed.GetProperty("kind").GetString(), listed.GetProperty("subject").GetString()));
        Assert.Equal(runId, Assert.Single(listed.GetProperty("triggeredRuns").EnumerateArray()).GetProperty("runId").GetString());

        var table = await RunAsync("events", "list");
        Assert.Contains("taxi_fare", table.Output, StringComparison.Ordinal);
        Assert.Contains(runId, table.Output, StringComparison.Ordinal);

        var runs = await RunAsync("runs", "list", "--output", "json");
        using var runList = JsonDocument.Parse(runs.Output);
        var eventRun = runList.RootElement.EnumerateArray().Single(run => run.GetProperty("runId").GetString() == runId);
        Assert.Equal("event", eventRun.GetProperty("runType").GetString());
        Assert.Equal(eventId, eventRun.GetProperty("event").GetProperty("id").GetInt64());

        var bad = await RunAsync("events", "list", "--kind", "earthquake");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("'earthquake' is not an event kind", bad.Error, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--home", _home]);
}
