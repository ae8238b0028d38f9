using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Core.Model;
using Orchestrator.Core.States;
using Orchestrator.Storage.Records;
using Orchestrator.Web.Tests.Api.Dags;

namespace Orchestrator.Web.Tests.Api.Events;

/// <summary>The link from an event to the runs it triggered, both ways: an event lists its runs, a run names its
/// event. Payloads are masked like conf.</summary>
public sealed class EventApiTests : IAsyncLifetime
{
    private DagApiApp _app = null!;

    public async Task InitializeAsync() => _app = await DagApiApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task AnEvent_ListsTheRunItTriggered_AndTheRunNamesTheEvent()
    {
        var dag = await _app.RegisterDagAsync("retrain.json", """{"id": "retrain", "tasks": [{"id": "t", "type": "empty"}]}""");
        var at = _app.Time.GetUtcNow();
        var (drift, _) = await _app.Store.Events.EmitAsync(new NewEvent(EventKinds.Drift, "taxi", """{"share": 0.8, "api_token": "s3cret"}""", "d1", at)
        {
            SourceDagId = "monitor", SourceRunId = "m1", SourceTaskId = "drift",
        }, default);
        await _app.Store.Events.EmitAsync(new NewEvent(EventKinds.Dataset, "trips", "{}", "d2", at.AddMinutes(1)), default);
        var runId = RunId.ForEvent(dag.Id, drift.Id);
        Assert.True(await _app.Store.Runs.CreateAsync(
            new DagRunRecord(runId, dag.Id, dag.Version, at, RunType.Event, DagRunState.Queued, drift.Payload, at) { EventId = drift.Id }, [], default));

        var page = await GetJsonAsync("/api/v1/events?kind=drift");
        Assert.Equal(1, page.GetProperty("total").GetInt32());
        var listed = page.GetProperty("items")[0];
        Assert.Equal(drift.Id, listed.GetProperty("id").GetInt64());
        Assert.Equal("taxi", listed.GetProperty("subject").GetString());
        Assert.Equal("***", listed.GetProperty("payload").GetProperty("api_token").GetString());
        Assert.Equal(0.8, listed.GetProperty("payload").GetProperty("share").GetDouble());
        Assert.Equal("m1", listed.GetProperty("source").GetProperty("runId").GetString());
        var triggered = Assert.Single(listed.GetProperty("triggeredRuns").EnumerateArray());
        Assert.Equal((runId.Value, "retrain", "queued"), (triggered.GetProperty("runId").GetString(), triggered.GetProperty("dagId").GetString(), triggered.GetProperty("state").GetString()));

        Assert.Equal(2, (await GetJsonAsync("/api/v1/events")).GetProperty("total").GetInt32());
        Assert.Equal(drift.Id, (await GetJsonAsync($"/api/v1/events/{drift.Id}")).GetProperty("id").GetInt64());

        var run = await GetJsonAsync($"/api/v1/runs/{runId}");
        Assert.Equal("event", run.GetProperty("runType").GetString());
        Assert.Equal((drift.Id, "drift", "taxi"), (run.GetProperty("event").GetProperty("id").GetInt64(), run.GetProperty("event").GetProperty("kind").GetString(), run.GetProperty("event").GetProperty("subject").GetString()));
        Assert.Equal("***", run.GetProperty("conf").GetProperty("api_token").GetString());
        var inList = (await GetJsonAsync("/api/v1/runs?dagId=retrain")).GetProperty("items")[0];
        Assert.Equal(drift.Id, inList.GetProperty("event").GetProperty("id").GetInt64());
    }

    [Theory]
    [InlineData("/api/v1/events?kind=earthquake", HttpStatusCode.BadRequest, "kind")]
    [InlineData("/api/v1/events?limit=0", HttpStatusCode.BadRequest, "limit")]
    [InlineData("/api/v1/events/abc", HttpStatusCode.NotFound, null)]
    [InlineData("/api/v1/events/424242", HttpStatusCode.NotFound, null)]
    public async Task BadQueries_AreProblemsNamingTheParameter(string path, HttpStatusCode status, string? field)
    {
        var response = await _app.Client.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(status, response.StatusCode);
        if (field is not null)
        {
            Assert.Equal(field, body.GetProperty("field").GetString());
        }
    }

    [Fact]
    public async Task WithoutSignIn_EventsAreRefused()
    {
        var client = _app.ClientAs("");
        client.DefaultRequestHeaders.Remove(DagApiApp.RoleHeader);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri("/api/v1/events", UriKind.Relative))).StatusCode);
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await _app.Client.GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
