using System.Net;
using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;
using Orchestrator.Web.Tests.Metrics;

namespace Orchestrator.Web.Tests.Health;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Health_CountsActiveDagsImportErrorsAndRunningRuns_FromTheStore()
    {
        await using var app = await ObservedApp.StartAsync();
        foreach (var dag in new[] { "etl", "report", "gone" })
        {
            await app.Store.Dags.UpsertAsync(new DagVersionRecord(new DagId(dag), "v1", $"/dags/{dag}.json", "{}", ObservedApp.T0), null, default);
        }

        await app.Store.Dags.MarkActiveAsync([new DagId("etl"), new DagId("report")], ObservedApp.T0, default);
        await app.Store.Dags.ReplaceImportErrorsAsync("/dags/bad.json", [new ImportErrorRecord("/dags/bad.json", "no id", null, null, ObservedApp.T0)], default);
        await app.CreateRunAsync("r1", DagRunState.Running);
        await app.CreateRunAsync("r2", DagRunState.Queued);

        var response = await app.Client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("healthy", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("dags").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("importErrors").GetInt32());
        Assert.Equal(1, json.RootElement.GetProperty("activeRuns").GetInt32());
    }

    [Fact]
    public async Task Health_Is503Unhealthy_WhenTheStoreDoesNotAnswer()
    {
        await using var app = await ObservedApp.StartAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Path.Combine(app.Folder, "db"), recursive: true); // the database and its folder are gone

        var response = await app.Client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("unhealthy", json.RootElement.GetProperty("status").GetString());
        Assert.Contains("orchestrator_store_up 0\n", await app.ScrapeAsync(), StringComparison.Ordinal);
    }
}
