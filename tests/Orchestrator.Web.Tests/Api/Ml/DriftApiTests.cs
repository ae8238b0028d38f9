using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Application.Queries.Ml;
using Orchestrator.Secrets.Masking;
using Orchestrator.Storage;
using Orchestrator.Storage.Artifacts;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Web.Api;
using Orchestrator.Web.Api.Ml;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Tests.Api.Ml;

/// <summary>The drift rows of docs/rest-api.md: a model's drift checks newest first, and one check with its report read
/// from the artifact store; over a real SQLite store and folder artifact store.</summary>
public sealed class DriftApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 6, 0, 0, TimeSpan.Zero);
    private const string ReportJson = """{"kind":"data","model":"fare","drifted":true,"features":[{"name":"city","test":"chisquare","statistic":"Infinity","pValue":0,"histogram":{"labels":["nyc","sf"],"reference":[1,0],"current":[0.5,0.5]}}]}""";

    private readonly string _folder = Directory.CreateTempSubdirectory("orchestrator-driftapi-").FullName;
    private WebApplication _app = null!;
    private SqlMetadataStore _store = null!;
    private readonly List<long> _fareChecks = [];
    private long _churnCheck;

    public async Task InitializeAsync()
    {
        var time = new FakeTimeProvider(T0);
        _store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), time, default);
        var artifacts = new FolderArtifactStore(Path.Combine(_folder, "artifacts"));
        _app = await ApiTestServer.StartAsync(
            services =>
            {
            services.AddSingleton<TimeProvider>(time);
            services.AddSingleton<IMetadataStore>(_store);
            services.AddSingleton<IArtifactStore>(artifacts);
            services.AddSingleton(SensitiveNames.Default);
            services.AddMlQueries();
            },
            v1 => v1.MapDriftApi());

        foreach (var model in new[] { "fare", "churn" })
        {
            await _store.Models.RegisterVersionAsync(new NewModelVersion(model, new string('e', 64), "{}", null, null, "{}", "{}", new RunLineage(null, null, null, null)), T0, default);
        }

        var report = await artifacts.PutAsync(new MemoryStream(Encoding.UTF8.GetBytes(ReportJson)), default);
        for (var i = 0; i < 3; i++)
        {
            var (check, _) = await _store.DriftChecks.RecordAsync(new NewDriftCheck(DriftCheckKinds.Data, "fare", 1, T0.AddHours(i),
                new RunLineage("monitor", $"run-{i}", "drift", 1), i == 2, i == 2 ? 0.5 : 0, 0.5, i == 2 ? ["city"] : [], 1000, 200 + i, report.Digest), default);
            _fareChecks.Add(check.Id);
        }

        (var churn, _) = await _store.DriftChecks.RecordAsync(new NewDriftCheck(DriftCheckKinds.Data, "churn", 1, T0,
            new RunLineage("monitor", "run-c", "drift", 1), false, 0, 0.5, [], 10, 10, report.Digest), default);
        _churnCheck = churn.Id;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Checks_ArePaged_NewestFirst_AsDriftCheck()
    {
        var page = await GetJsonAsync("/api/v1/models/fare/drift?offset=0&limit=2");
        Assert.Equal((3, 0, 2), (page.GetProperty("total").GetInt32(), page.GetProperty("offset").GetInt32(), page.GetProperty("limit").GetInt32()));
        var items = page.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([_fareChecks[2], _fareChecks[1]], items.Select(item => item.GetProperty("id").GetInt64()));
        var newest = items[0];
        Assert.Equal(("fare", 1, "data", true), (newest.GetProperty("model").GetString(), newest.GetProperty("version").GetInt32(),
            newest.GetProperty("kind").GetString(), newest.GetProperty("drifted").GetBoolean()));
        Assert.Equal(("monitor", "run-2", "drift"), (newest.GetProperty("dagId").GetString(), newest.GetProperty("runId").GetString(), newest.GetProperty("taskId").GetString()));
        Assert.Equal((0.5, 0.5, 1000L, 202L), (newest.GetProperty("share").GetDouble(), newest.GetProperty("shareThreshold").GetDouble(),
            newest.GetProperty("referenceRows").GetInt64(), newest.GetProperty("currentRows").GetInt64()));
        Assert.Equal(["city"], newest.GetProperty("driftedFeatures").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(T0.AddHours(2), newest.GetProperty("at").GetDateTimeOffset());
        Assert.False(newest.TryGetProperty("report", out _));

        var rest = await GetJsonAsync("/api/v1/models/fare/drift?offset=2");
        Assert.Equal([_fareChecks[0]], rest.GetProperty("items").EnumerateArray().Select(item => item.GetProperty("id").GetInt64()));
        Assert.Equal(50, rest.GetProperty("limit").GetInt32());
    }

    [Fact]
    public async Task OneCheck_CarriesTheStoredReport()
    {
        var check = await GetJsonAsync($"/api/v1/models/fare/drift/{_fareChecks[2]}");

        Assert.Equal(_fareChecks[2], check.GetProperty("id").GetInt64());
        Assert.Equal(["city"], check.GetProperty("driftedFeatures").EnumerateArray().Select(f => f.GetString()));
        var feature = check.GetProperty("report").GetProperty("features")[0];
        Assert.Equal(("city", "chisquare", "Infinity"), (feature.GetProperty("name").GetString(), feature.GetProperty("test").GetString(), feature.GetProperty("statistic").GetString()));
        Assert.Equal(["nyc", "sf"], feature.GetProperty("histogram").GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
    }

    [Theory]
    [InlineData("/api/v1/models/nope/drift")]
    [InlineData("/api/v1/models/nope/drift/1")]
    [InlineData("/api/v1/models/fare/drift/999")]
    [InlineData("/api/v1/models/fare/drift/abc")]
    public async Task UnknownModelOrCheck_Is404(string path)
    {
        var response = await _app.GetTestClient().WithRole("viewer").GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ACheckOfAnotherModel_Is404_UnderThisModel()
    {
        var response = await _app.GetTestClient().WithRole("viewer").GetAsync($"/api/v1/models/fare/drift/{_churnCheck}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(_churnCheck, (await GetJsonAsync($"/api/v1/models/churn/drift/{_churnCheck}")).GetProperty("id").GetInt64());
    }

    [Theory]
    [InlineData("offset=-1", "offset")]
    [InlineData("offset=x", "offset")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    public async Task BadPaging_Is400_NamingTheField(string query, string field)
    {
        var response = await _app.GetTestClient().WithRole("viewer").GetAsync($"/api/v1/models/fare/drift?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task NotSignedIn_Is401()
    {
        var response = await _app.GetTestClient().GetAsync("/api/v1/models/fare/drift");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await _app.GetTestClient().WithRole("viewer").GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
