using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.ML.Models;
using Orchestrator.Serving.InferenceLog;
using Orchestrator.Serving.Tests.Fixtures;
using Orchestrator.Storage;

namespace Orchestrator.Serving.Tests.InferenceLog;

/// <summary>The inference log end to end: a real host, real taxi models, a real SQLite store. What is logged, how
/// sampling and a full queue behave, and that every answer carries X-Request-Id.</summary>
public sealed class InferenceLoggingTests : IAsyncLifetime
{
    private const string Url = "/models/taxi/invocations";
    private SqliteLogStore _store = null!;
    private ServingHost? _host;

    public async Task InitializeAsync() => _store = await SqliteLogStore.OpenAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await _store.DisposeAsync();
    }

    private async Task<ServingHost> StartAsync(Action<ModelServingOptions>? configure = null, IInferenceLogStore? log = null, IInferenceSampler? sampler = null)
    {
        _host = await ServingHost.StartAsync(configure, services =>
        {
            services.AddSingleton(log ?? _store.Log);
            if (sampler is not null)
            {
                services.AddSingleton(sampler);
            }
        });
        await _host.RegisterAsync("taxi", MlTask.Regression);
        await _host.RegisterAsync("taxi", MlTask.Regression, fareScale: 2);
        await _host.SetAliasAsync("taxi", "production", 1);
        return _host;
    }

    private InferenceLogQueue Queue => _host!.Services.GetRequiredService<InferenceLogQueue>();

    private static string Body(int rows) => $$"""{"dataframe_records": {{JsonSerializer.Serialize(TaxiModels.Records(rows))}}}""";

    private static string RequestId(HttpResponseMessage response) => Assert.Single(response.Headers.GetValues("X-Request-Id"));

    [Fact]
    public async Task Rows_are_logged_with_request_id_row_version_time_inputs_and_prediction()
    {
        var host = await StartAsync();
        var first = await host.PostAsync(Url, Body(2));
        host.Time.Advance(TimeSpan.FromMinutes(1));
        var second = await host.PostAsync(Url + "?version=2", Body(1));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var firstPredictions = JsonNode.Parse(await first.Content.ReadAsStringAsync())!["predictions"]!.AsArray();
        var secondPrediction = (double)JsonNode.Parse(await second.Content.ReadAsStringAsync())!["predictions"]![0]!;

        await Queue.FlushAsync(default);
        var rows = await _store.ReadAllAsync();

        Assert.Equal(3, rows.Count);
        Assert.Equal([(RequestId(first), 0, 1), (RequestId(first), 1, 1), (RequestId(second), 0, 2)], rows.Select(r => (r.RequestId, r.Row, r.Version)));
        Assert.NotEqual(RequestId(first), RequestId(second));
        Assert.All(rows, r => Assert.Equal("taxi", r.Model));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), rows[0].At);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 1, 0, TimeSpan.Zero), rows[2].At);

        var sent = TaxiModels.Records(2);
        for (var i = 0; i < 2; i++)
        {
            var inputs = JsonNode.Parse(rows[i].Inputs)!.AsObject();
            Assert.Equal(TaxiModels.Inputs.Select(c => c.Name), inputs.Select(p => p.Key));
            Assert.Equal(Convert.ToString(sent[i]["vendor_id"], System.Globalization.CultureInfo.InvariantCulture), (string?)inputs["vendor_id"]);
            Assert.Equal(Convert.ToDouble(sent[i]["trip_distance"], System.Globalization.CultureInfo.InvariantCulture), (double)inputs["trip_distance"]!, 4);
            Assert.Equal((double)firstPredictions[i]!, double.Parse(rows[i].Prediction, System.Globalization.CultureInfo.InvariantCulture), 4);
        }

        Assert.Equal(secondPrediction, double.Parse(rows[2].Prediction, System.Globalization.CultureInfo.InvariantCulture), 4);
    }

    [Fact]
    public async Task A_rows_time_is_the_instant_its_request_id_was_made_from()
    {
        var host = await StartAsync();
        host.Time.AutoAdvanceAmount = TimeSpan.FromMilliseconds(7); // every clock reading moves time on
        var response = await host.PostAsync(Url, Body(2));
        host.Time.AutoAdvanceAmount = TimeSpan.Zero;

        await Queue.FlushAsync(default);
        var rows = await _store.ReadAllAsync();

        // A UUIDv7's first 48 bits are its Unix milliseconds: feedback finds the rows' chunk by them.
        var id = RequestId(response);
        Assert.Equal('7', id[12]);
        var idMs = long.Parse(id.AsSpan(0, 12), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(idMs, r.At.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public async Task Every_answer_carries_a_new_request_id_and_refused_requests_log_nothing()
    {
        var host = await StartAsync();
        var bad = await host.PostAsync(Url, """{"dataframe_records": [{"vendor_id": "CMT"}]}""");
        var missing = await host.PostAsync("/models/nobody/invocations", Body(1));
        var good = await host.PostAsync(Url, Body(1));

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        string[] ids = [RequestId(bad), RequestId(missing), RequestId(good)];
        Assert.Equal(3, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{32}$", id));

        await Queue.FlushAsync(default);
        Assert.Equal([RequestId(good)], (await _store.ReadAllAsync()).Select(r => r.RequestId));
    }

    [Fact]
    public async Task Sampling_zero_logs_nothing()
    {
        var host = await StartAsync(options => options.InferenceLogSampling = 0);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await host.PostAsync(Url, Body(1))).StatusCode);
        }

        Assert.False(Queue.Enabled);
        await Queue.FlushAsync(default);
        Assert.Empty(await _store.ReadAllAsync());
    }

    [Fact]
    public async Task Sampling_a_half_keeps_the_requests_the_seeded_draws_pick()
    {
        const int Requests = 300;
        var host = await StartAsync(options => options.InferenceLogSampling = 0.5, sampler: new RandomInferenceSampler(0.5, new Random(11)));
        var ids = new List<string>();
        for (var i = 0; i < Requests; i++)
        {
            var response = await host.PostAsync(Url, Body(1));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            ids.Add(RequestId(response));
        }

        await Queue.FlushAsync(default);
        var logged = (await _store.ReadAllAsync()).Select(r => r.RequestId).ToHashSet();

        var draws = new Random(11);
        var expected = ids.Where(_ => draws.NextDouble() < 0.5).ToList();
        Assert.Equal(expected, ids.Where(logged.Contains));
        Assert.InRange(logged.Count, Requests * 0.4, Requests * 0.6);
    }

    [Fact]
    public async Task A_full_queue_drops_and_counts_without_failing_requests()
    {
        var gated = new GatedLogStore(_store.Log);
        var host = await StartAsync(options =>
        {
            options.InferenceLogQueueCapacity = 2;
            options.InferenceLogBatchSize = 1;
        }, gated);
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var response = await host.PostAsync(Url, Body(1));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            ids.Add(RequestId(response));
        }

        // At most one request in the blocked writer's hands and two queued: the rest were dropped.
        Assert.InRange(Queue.Dropped, 7, 10);
        Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Warning && e.Text.Contains("queue is full", StringComparison.Ordinal));

        gated.Open();
        await Queue.FlushAsync(default);
        var logged = await _store.ReadAllAsync();
        Assert.Equal(10, logged.Count + Queue.Dropped);
        Assert.All(logged, r => Assert.Contains(r.RequestId, ids));
    }

    [Fact]
    public async Task The_writer_waits_for_a_full_batch_then_writes_without_a_flush()
    {
        var host = await StartAsync(options =>
        {
            options.InferenceLogBatchSize = 2;
            options.InferenceLogFlushInterval = TimeSpan.FromDays(1); // never reached: the full batch wakes it
        });
        await host.PostAsync(Url, Body(1));
        await host.PostAsync(Url, Body(1));

        await WrittenAsync(2, advancing: TimeSpan.Zero);
    }

    [Fact]
    public async Task The_writer_writes_a_partial_batch_once_the_flush_interval_passes()
    {
        var host = await StartAsync(options =>
        {
            options.InferenceLogBatchSize = 1_000;
            options.InferenceLogFlushInterval = TimeSpan.FromMinutes(5);
        });
        await host.PostAsync(Url, Body(1));

        await WrittenAsync(1, advancing: TimeSpan.FromMinutes(5));
    }

    /// <summary>Waits (polling, bounded) until the store holds <paramref name="rows"/> rows, without flushing, moving
    /// fake time on by <paramref name="advancing"/> each look (the writer may start lingering after any one move).</summary>
    private async Task WrittenAsync(int rows, TimeSpan advancing)
    {
        using var give = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while ((await _store.ReadAllAsync()).Count < rows)
        {
            _host!.Time.Advance(advancing);
            await Task.Delay(10, give.Token);
        }

        Assert.Equal(rows, (await _store.ReadAllAsync()).Count);
    }

    [Fact]
    public async Task Retention_deletes_by_rows_per_model_and_by_age()
    {
        var host = await StartAsync(options =>
        {
            options.InferenceLogMaxRowsPerModel = 3;
            options.InferenceLogMaxAge = TimeSpan.FromDays(7);
            options.InferenceLogPruneInterval = TimeSpan.FromDays(365); // the test prunes itself, not the timer
        });
        for (var i = 0; i < 5; i++)
        {
            await host.PostAsync(Url, Body(1));
            await Queue.FlushAsync(default); // one written batch, so one chunk, per request: retention is by chunk
            host.Time.Advance(TimeSpan.FromMinutes(1));
        }

        var writer = host.Services.GetRequiredService<InferenceLogWriter>();

        Assert.Equal(2, await writer.PruneAsync(default));
        Assert.Equal(3, (await _store.ReadAllAsync()).Count);

        host.Time.Advance(TimeSpan.FromDays(7));
        Assert.Equal(3, await writer.PruneAsync(default));
        Assert.Empty(await _store.ReadAllAsync());
    }

    [Fact]
    public async Task A_sampling_rate_outside_zero_to_one_stops_the_host()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ServingHost.StartAsync(options => options.InferenceLogSampling = 1.5));
        Assert.Contains("InferenceLogSampling", error.Message, StringComparison.Ordinal);
    }
}
