using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Application.Queries.Ml;
using Orchestrator.ML.Data;
using Orchestrator.ML.Models;
using Orchestrator.Secrets.Masking;
using Orchestrator.Storage;
using Orchestrator.Storage.Records;
using Orchestrator.Storage.Sql;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Web.Api;
using Orchestrator.Web.Api.Ml;
using Orchestrator.Web.Security;

namespace Orchestrator.Web.Tests.Api.Ml;

/// <summary><c>GET /api/v1/models/{name}/performance</c> over a real SQLite registry: regression model <c>fare</c>
/// with two versions and labelled rows at 08:10 and 08:40 (v1) and 09:15 (v2) on the test's day; "now" is 10:00.</summary>
public sealed class PerformanceApiTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private string _folder = null!;
    private SqlMetadataStore _store = null!;
    private WebApplication _app = null!;

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("orchestrator-perfapi-").FullName;
        var time = new FakeTimeProvider(Now);
        _store = await SqlMetadataStore.OpenAsync(new SqliteDatabase(Path.Combine(_folder, "orchestrator.db")), time, default);
        var signature = ModelSignatureJson.ToJson(new ModelSignature(MlTask.Regression, "fare", [new DatasetColumn("distance", ColumnKind.Numeric)]));
        foreach (var version in new[] { 1, 2 })
        {
            await _store.Models.RegisterVersionAsync(new NewModelVersion("fare", new string((char)('a' + version), 64), signature, null, null, "{}", """{"r2":0.9}""",
                new RunLineage("train", $"run-{version}", "register", 1)), Now.AddDays(-2), default);
        }

        await _store.Models.RegisterVersionAsync(new NewModelVersion("blank", new string('f', 64), "{}", null, null, "{}", "{}", new RunLineage(null, null, null, null)), Now.AddDays(-2), default);
        // v1 08:00–09:00: labels 3, 5 predicted 2, 5 (errors 1, 0); v2 09:00–10:00: label 7 predicted 9; one unreadable row.
        await AddAsync(1, "08:10", "2", "3");
        await AddAsync(1, "08:40", "5", "5");
        await AddAsync(2, "09:15", "9", "7");
        await AddAsync(2, "09:20", "null", "7");
        await AddAsync(1, "10:00", "100", "1"); // at "now": outside [from, to)
        var other = Guid.CreateVersion7(At("08:10")).ToString("N"); // serving's ids: a UUIDv7 of the row's time
        await _store.Inference.AppendAsync([new InferenceRecord(other, 0, "blank", 1, At("08:10"), "{}", "1")], default);
        Assert.Empty(await _store.Inference.LabelAsync("blank", [new InferenceLabel(other, 0, "1")], Now, default));

        _app = await ApiTestServer.StartAsync(
            services =>
            {
            services.AddSingleton<TimeProvider>(time);
            services.AddSingleton<IMetadataStore>(_store);
            services.AddSingleton(SensitiveNames.Default);
            services.AddMlQueries();
            },
            v1 => v1.MapPerformanceApi());
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _store.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Defaults_LastDay_HourlyBuckets_PerVersion()
    {
        var answer = await GetJsonAsync("/api/v1/models/fare/performance");

        Assert.Equal(("fare", "r2", "1h", false), (answer.GetProperty("model").GetString(), answer.GetProperty("metric").GetString(),
            answer.GetProperty("bucket").GetString(), answer.GetProperty("truncated").GetBoolean()));
        Assert.Equal((Now.AddDays(-1), Now), (answer.GetProperty("from").GetDateTimeOffset(), answer.GetProperty("to").GetDateTimeOffset()));
        var buckets = answer.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal([(1, At("08:00"), 2, 0), (2, At("09:00"), 1, 1)], buckets.Select(b => (
            b.GetProperty("version").GetInt32(), b.GetProperty("start").GetDateTimeOffset(), b.GetProperty("count").GetInt32(), b.GetProperty("invalid").GetInt32())));
        var v1 = buckets[0].GetProperty("metrics");
        Assert.Equal(0.5, v1.GetProperty("mae").GetDouble(), 12);                 // (1 + 0) / 2
        Assert.Equal(Math.Sqrt(0.5), v1.GetProperty("rmse").GetDouble(), 12);
        Assert.Equal(0.5, v1.GetProperty("r2").GetDouble(), 12);                  // 1 - 1 / 2 (labels 3, 5)
        Assert.Equal(JsonValueKind.Null, buckets[1].GetProperty("metrics").GetProperty("r2").ValueKind); // one row
        Assert.Equal(2.0, buckets[1].GetProperty("metrics").GetProperty("rmse").GetDouble(), 12);
    }

    [Fact]
    public async Task FromToAndBucket_NarrowAndSplit()
    {
        var half = await GetJsonAsync("/api/v1/models/fare/performance?from=2026-11-25T08:00:00Z&to=2026-11-25T09:00:00Z&bucket=30m");
        Assert.Equal([(1, At("08:00"), 1), (1, At("08:30"), 1)], half.GetProperty("buckets").EnumerateArray().Select(b => (
            b.GetProperty("version").GetInt32(), b.GetProperty("start").GetDateTimeOffset(), b.GetProperty("count").GetInt32())));

        var late = await GetJsonAsync("/api/v1/models/fare/performance?from=2026-11-25T09:00:00Z&to=2026-11-25T10:00:01Z");
        Assert.Equal([2, 1], late.GetProperty("buckets").EnumerateArray().Select(b => b.GetProperty("version").GetInt32()));
        Assert.Equal(99, late.GetProperty("buckets")[1].GetProperty("metrics").GetProperty("mae").GetDouble(), 12); // the 10:00 row: |1 - 100|
    }

    [Fact]
    public async Task AModelWithoutReadableSignature_HasNoMetric_AndItsRowsAreInvalid()
    {
        var answer = await GetJsonAsync("/api/v1/models/blank/performance");

        Assert.Equal(JsonValueKind.Null, answer.GetProperty("metric").ValueKind);
        var only = Assert.Single(answer.GetProperty("buckets").EnumerateArray());
        Assert.Equal((0, 1), (only.GetProperty("count").GetInt32(), only.GetProperty("invalid").GetInt32()));
    }

    [Theory]
    [InlineData("bucket=soon", "bucket")]
    [InlineData("bucket=0s", "bucket")]
    [InlineData("bucket=1m", "bucket")] // 24 h of minutes: 1,440 buckets
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-01T00:00:00Z", "to")]
    [InlineData("from=2026-11-25T10:00:00Z&to=2026-11-25T09:00:00Z", "from")]
    [InlineData("from=2026-11-25T10:00:00Z&to=2026-11-25T10:00:00Z", "from")]
    public async Task BadParameters_Are400_NamingTheParameter(string query, string field)
    {
        var response = await _app.GetTestClient().WithRole("viewer").GetAsync(new Uri($"/api/v1/models/fare/performance?{query}", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task AThousandBuckets_AreAllowed()
    {
        var answer = await GetJsonAsync("/api/v1/models/fare/performance?from=2026-11-25T00:00:00Z&to=2026-11-25T10:00:00Z&bucket=36s");
        Assert.Equal(4, answer.GetProperty("buckets").GetArrayLength()); // 08:10, 08:40, 09:15, 09:20 each alone
    }

    [Fact]
    public async Task UnknownModel_Is404_AndSignInIsRequired()
    {
        var missing = await _app.GetTestClient().WithRole("viewer").GetAsync(new Uri("/api/v1/models/nope/performance", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var anonymous = await _app.GetTestClient().GetAsync(new Uri("/api/v1/models/fare/performance", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    private async Task<JsonElement> GetJsonAsync(string path)
    {
        var response = await _app.GetTestClient().WithRole("viewer").GetAsync(new Uri(path, UriKind.Relative));
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task AddAsync(int version, string time, string prediction, string label)
    {
        var id = Guid.CreateVersion7(At(time)).ToString("N"); // serving's ids: a UUIDv7 of the row's time
        await _store.Inference.AppendAsync([new InferenceRecord(id, 0, "fare", version, At(time), "{}", prediction)], default);
        Assert.Empty(await _store.Inference.LabelAsync("fare", [new InferenceLabel(id, 0, label)], Now, default));
    }

    private static DateTimeOffset At(string time) =>
        DateTimeOffset.Parse($"2026-11-25T{time}:00Z", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
}
