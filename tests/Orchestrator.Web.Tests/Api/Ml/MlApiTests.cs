using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Orchestrator.Web.Tests.Api.Ml;

/// <summary>The ML and Variables/Connections rows of docs/rest-api.md, over a seeded SQLite store.</summary>
public sealed class MlApiTests : IAsyncLifetime
{
    private MlApiApp _app = null!;
    private MlSeed _seed = null!;

    public async Task InitializeAsync()
    {
        _app = await MlApiApp.StartAsync();
        _seed = await MlSeed.WriteAsync(_app);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Models_ArePaged_ByName_WithLatestVersionAndAliases()
    {
        var page = await GetJsonAsync("/api/v1/models?offset=1&limit=1");
        Assert.Equal((3, 1, 1), (page.GetProperty("total").GetInt32(), page.GetProperty("offset").GetInt32(), page.GetProperty("limit").GetInt32()));
        var fare = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("fare", fare.GetProperty("name").GetString());
        Assert.Equal(3, fare.GetProperty("latestVersion").GetInt32());
        Assert.Equal(2, fare.GetProperty("aliases").GetProperty("production").GetInt32());

        var past = await GetJsonAsync("/api/v1/models?offset=10");
        Assert.Empty(past.GetProperty("items").EnumerateArray());
        Assert.Equal(50, past.GetProperty("limit").GetInt32());
    }

    [Fact]
    public async Task Model_ListsVersionsNewestFirst_WithLineage_AndMaskedParams()
    {
        var model = await GetJsonAsync("/api/v1/models/fare");
        var versions = model.GetProperty("versions").EnumerateArray().ToList();
        Assert.Equal([3, 2, 1], versions.Select(version => version.GetProperty("version").GetInt32()));
        Assert.Equal(["production"], versions[1].GetProperty("aliases").EnumerateArray().Select(alias => alias.GetString()));
        var lineage = versions[2].GetProperty("lineage");
        Assert.Equal(("retrain", "run-1", "register", 2), (lineage.GetProperty("dagId").GetString(), lineage.GetProperty("runId").GetString(),
            lineage.GetProperty("taskId").GetString(), lineage.GetProperty("tryNumber").GetInt32()));
        Assert.Equal(("trips", _seed.TripsDigest, _seed.RunA), (lineage.GetProperty("datasetName").GetString(),
            lineage.GetProperty("datasetVersion").GetString(), lineage.GetProperty("trackingRunId").GetString()));
        Assert.Equal(2.5, versions[0].GetProperty("metrics").GetProperty("rmse").GetDouble());
        Assert.Equal("***", versions[0].GetProperty("params").GetProperty("api_token").GetString());
        Assert.Equal("distance", versions[0].GetProperty("signature").GetProperty("inputs")[0].GetProperty("name").GetString());

        var one = await GetJsonAsync("/api/v1/models/fare/versions/2");
        Assert.Equal(_seed.RunB, one.GetProperty("lineage").GetProperty("trackingRunId").GetString());
        Assert.DoesNotContain(MlSeed.ParamSecret, one.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/models/nope")]
    [InlineData("/api/v1/models/fare/versions/9")]
    [InlineData("/api/v1/models/fare/aliases/staging/history")]
    [InlineData("/api/v1/experiments/99/runs")]
    [InlineData("/api/v1/tracking-runs/0123456789abcdef0123456789abcdef")]
    [InlineData("/api/v1/datasets/trips/versions/0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task Unknown_Things_Are404ProblemDetails(string path)
    {
        var response = await _app.Client("viewer").GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }

    [Theory]
    [InlineData("/api/v1/models?limit=0", "limit")]
    [InlineData("/api/v1/datasets?offset=-1", "offset")]
    [InlineData("/api/v1/models/fare/versions/two", "version")]
    [InlineData("/api/v1/models/bad%20name", "name")]
    [InlineData("/api/v1/models/fare/aliases/latest/history", "alias")]
    [InlineData("/api/v1/experiments/1/runs?sort=rmse", "sort")]
    [InlineData("/api/v1/experiments/1/runs?order=up", "order")]
    [InlineData("/api/v1/datasets/trips/versions/abc", "version")]
    public async Task Bad_Parameters_Are400_NamingTheField(string path, string field)
    {
        var response = await _app.Client("viewer").GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task AliasHistory_IsNewestFirst()
    {
        var history = (await GetJsonAsync("/api/v1/models/fare/aliases/production/history")).EnumerateArray().ToList();
        Assert.Equal([(2, (int?)1, "user:bob", "better rmse"), (1, null, "dag:run-1/deploy#1", "first deploy")], history.Select(entry => (
            entry.GetProperty("version").GetInt32(), entry.GetProperty("previousVersion").ValueKind == JsonValueKind.Null ? null : (int?)entry.GetProperty("previousVersion").GetInt32(),
            entry.GetProperty("by").GetString(), entry.GetProperty("reason").GetString())));
    }

    [Fact]
    public async Task AliasMove_ByAnAdmin_IsRecordedWithTheActor()
    {
        var response = await _app.Client("admin", "carol").PutAsJsonAsync(new Uri("/api/v1/models/fare/aliases/production", UriKind.Relative),
            new { version = 3, reason = "rollout" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((3, 2, "carol", "rollout"), (entry.GetProperty("version").GetInt32(), entry.GetProperty("previousVersion").GetInt32(),
            entry.GetProperty("by").GetString(), entry.GetProperty("reason").GetString()));
        Assert.Equal(MlApiApp.Now, entry.GetProperty("at").GetDateTimeOffset());
        Assert.Equal(3, (await _app.Store.Models.GetByAliasAsync("fare", "production", default))!.Version);
        var history = await GetJsonAsync("/api/v1/models/fare/aliases/production/history");
        Assert.Equal("carol", history[0].GetProperty("by").GetString());
    }

    [Theory]
    [InlineData("operator", HttpStatusCode.Forbidden)]
    [InlineData("viewer", HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task AliasMove_BelowAdmin_IsRefused_AndChangesNothing(string? role, HttpStatusCode expected)
    {
        var response = await _app.Client(role).PutAsJsonAsync(new Uri("/api/v1/models/fare/aliases/production", UriKind.Relative), new { version = 3 });
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(2, (await _app.Store.Models.GetByAliasAsync("fare", "production", default))!.Version);
    }

    [Theory]
    [InlineData("""{"reason":"no version"}""", "version")]
    [InlineData("""{"version":0}""", "version")]
    [InlineData("""{"version":2,"reason":"bad\u001b[31m"}""", "reason")]
    public async Task AliasMove_WithABadBody_Is400_AndChangesNothing(string body, string field)
    {
        var response = await _app.Client("admin").PutAsync(new Uri("/api/v1/models/fare/aliases/production", UriKind.Relative),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(2, (await _app.Store.Models.AliasHistoryAsync("fare", "production", default)).Count);
    }

    [Fact]
    public async Task Experiments_CountTheirRuns()
    {
        var item = Assert.Single((await GetJsonAsync("/api/v1/experiments")).GetProperty("items").EnumerateArray());
        Assert.Equal((_seed.ExperimentId, "fare", 3), (item.GetProperty("experimentId").GetString(), item.GetProperty("name").GetString(), item.GetProperty("runCount").GetInt32()));
        Assert.Equal(MlApiApp.Now.AddDays(-3).AddHours(4), item.GetProperty("lastRunAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task ExperimentRuns_SortByAMetric_EitherWay_RunsWithoutItLast()
    {
        Assert.Equal([_seed.RunB, _seed.RunA, _seed.RunC], await RunIdsAsync("sort=metrics.rmse&order=asc"));
        Assert.Equal([_seed.RunA, _seed.RunB, _seed.RunC], await RunIdsAsync("sort=metrics.rmse&order=desc"));
        Assert.Equal([_seed.RunC, _seed.RunB, _seed.RunA], await RunIdsAsync(""));
        Assert.Equal([_seed.RunC, _seed.RunB, _seed.RunA], await RunIdsAsync("sort=params.learning_rate"));
        Assert.Equal([_seed.RunB, _seed.RunC], await RunIdsAsync("sort=name&offset=0&limit=2"));

        var page = await GetJsonAsync($"/api/v1/experiments/{_seed.ExperimentId}/runs?sort=metrics.rmse&limit=1");
        Assert.Equal(3, page.GetProperty("total").GetInt32());
        var run = page.GetProperty("items")[0];
        Assert.Equal(2.1, run.GetProperty("metrics").GetProperty("rmse").GetDouble());
        Assert.Equal(("finished", "***", "train_fasttree"), (run.GetProperty("status").GetString(), run.GetProperty("params").GetProperty("api_token").GetString(),
            run.GetProperty("taskId").GetString()));
    }

    [Fact]
    public async Task TrackingRun_HasItsMetricHistory()
    {
        var run = await GetJsonAsync($"/api/v1/tracking-runs/{_seed.RunA}");
        Assert.Equal(2.5, run.GetProperty("metrics").GetProperty("rmse").GetDouble());
        var history = run.GetProperty("metricHistory").GetProperty("rmse").EnumerateArray().ToList();
        Assert.Equal([(0L, 3.5), (1L, 2.9), (2L, 2.5)], history.Select(point => (point.GetProperty("step").GetInt64(), point.GetProperty("value").GetDouble())));
        Assert.DoesNotContain(MlSeed.ParamSecret, run.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Datasets_AreListed_AndAVersionHasItsProfile_WithHistogramsAndTopValues()
    {
        var list = await GetJsonAsync("/api/v1/datasets?limit=1");
        Assert.Equal(2, list.GetProperty("total").GetInt32());
        var newest = list.GetProperty("items")[0];
        Assert.Equal(("other", _seed.OtherDigest, 2L, 2), (newest.GetProperty("name").GetString(), newest.GetProperty("version").GetString(),
            newest.GetProperty("rows").GetInt64(), newest.GetProperty("columns").GetInt32()));

        var trips = await GetJsonAsync($"/api/v1/datasets/trips/versions/{_seed.TripsDigest}");
        Assert.Equal((400L, "run-1"), (trips.GetProperty("rows").GetInt64(), trips.GetProperty("runId").GetString()));
        var columns = trips.GetProperty("profile").GetProperty("columns").EnumerateArray().ToDictionary(column => column.GetProperty("name").GetString()!);
        var fare = columns["fare"];
        Assert.Equal("numeric", fare.GetProperty("kind").GetString());
        var edges = fare.GetProperty("histogram").GetProperty("edges").EnumerateArray().Select(edge => edge.GetDouble()).ToList();
        var counts = fare.GetProperty("histogram").GetProperty("counts").EnumerateArray().Select(count => count.GetInt64()).ToList();
        Assert.True(counts.Count > 1);
        Assert.Equal(counts.Count + 1, edges.Count);
        Assert.Equal(400, counts.Sum());
        Assert.Equal(fare.GetProperty("min").GetDouble(), edges[0]);
        Assert.True(fare.GetProperty("quantiles").GetProperty("p50").GetDouble() > edges[0]);
        var payment = columns["payment"];
        Assert.Equal("categorical", payment.GetProperty("kind").GetString());
        Assert.Equal([("card", 240L), ("cash", 120L), ("dispute", 40L)], payment.GetProperty("topValues").EnumerateArray()
            .Select(value => (value.GetProperty("value").GetString(), value.GetProperty("count").GetInt64())));
        Assert.Equal(JsonValueKind.Null, payment.GetProperty("histogram").ValueKind);

        var wrongName = await _app.Client("viewer").GetAsync(new Uri($"/api/v1/datasets/other/versions/{_seed.TripsDigest}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, wrongName.StatusCode);
    }

    [Fact]
    public async Task VariablesAndConnections_AreMasked_ForAdmins()
    {
        var variables = await _app.Client("admin").GetStringAsync(new Uri("/api/v1/variables", UriKind.Relative));
        var connections = await _app.Client("admin").GetStringAsync(new Uri("/api/v1/connections", UriKind.Relative));
        Assert.DoesNotContain(MlSeed.VariableSecret, variables, StringComparison.Ordinal);
        Assert.DoesNotContain(MlSeed.ConnectionPassword, connections, StringComparison.Ordinal);
        Assert.DoesNotContain(MlSeed.ExtraToken, connections, StringComparison.Ordinal);

        var variable = JsonDocument.Parse(variables).RootElement.GetProperty("items")[0];
        Assert.Equal(("api_key", "***"), (variable.GetProperty("name").GetString(), variable.GetProperty("value").GetString()));
        var connection = JsonDocument.Parse(connections).RootElement.GetProperty("items")[0];
        Assert.Equal(("warehouse", "postgres", "db.internal", 5432, "etl", "***", "***"), (connection.GetProperty("name").GetString(),
            connection.GetProperty("type").GetString(), connection.GetProperty("host").GetString(), connection.GetProperty("port").GetInt32(),
            connection.GetProperty("login").GetString(), connection.GetProperty("password").GetString(), connection.GetProperty("extra").GetProperty("token").GetString()));
    }

    [Theory]
    [InlineData("/api/v1/variables")]
    [InlineData("/api/v1/connections")]
    public async Task VariablesAndConnections_AreAdminOnly(string path)
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await _app.Client("operator").GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.Client(null).GetAsync(new Uri(path, UriKind.Relative))).StatusCode);
    }

    private async Task<List<string>> RunIdsAsync(string query)
    {
        var page = await GetJsonAsync($"/api/v1/experiments/{_seed.ExperimentId}/runs?{query}");
        return [.. page.GetProperty("items").EnumerateArray().Select(run => run.GetProperty("trackingRunId").GetString()!)];
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await _app.Client("viewer").GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
